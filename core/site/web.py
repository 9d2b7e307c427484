"""Request helpers shared by the public and the tenant-side views."""

from __future__ import annotations

from django.http import HttpRequest

from core.site.services import SiteAddress


def site_address(request: HttpRequest) -> SiteAddress:
    """The tenant host is reached the way this request came in: same scheme, same port (dev servers)."""
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    return SiteAddress(scheme=request.scheme or "http", port_suffix=f":{port}" if port else "")
