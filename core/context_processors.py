"""Template context shared by every page: the tenant, its modules and navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def platform(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {"BASE_DOMAIN": settings.BASE_DOMAIN, "current_tenant": None, "nav_modules": []}
    if tenant is None or tenant.schema_name == "public":
        return context
    from billing.entitlements import module_access
    from core.modules import registry

    access = module_access(tenant)
    language = translation.get_language() or "zh-hans"
    context["current_tenant"] = tenant
    context["nav_modules"] = [
        {"code": cfg.code, "name": cfg.display_name(language), "entries": [(e.url_name, e.label(language)) for e in cfg.nav]}
        for cfg in registry.all()
        if cfg.code in access and access[cfg.code].readable
    ]
    context["modules_in_grace"] = [code for code, a in access.items() if a.in_grace]
    context["modules_read_only"] = [code for code, a in access.items() if a.readable and not a.writable]
    return context
