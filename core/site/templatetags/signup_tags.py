"""`{% verify_email_notice %}`: the "verify your email" banner on every tenant page until the owner clicks the link."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("site/verify_notice.html", takes_context=True)
def verify_email_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    # Only on a tenant host: the public host has no /account/ URLs and no tenant users.
    show = bool(
        user is not None
        and user.is_authenticated
        and tenant is not None
        and tenant.schema_name != "public"
        and getattr(user, "email_verified_at", True) is None
    )
    return {
        "show": show,
        "email": getattr(user, "email", ""),
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }
