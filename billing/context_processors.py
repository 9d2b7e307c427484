"""`billing_banner` on every tenant page: past due (with the grace deadline) or read-only, translated."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def billing(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return {"billing_banner": None}
    from billing.subscriptions import billing_banner

    return {"billing_banner": billing_banner(tenant)}
