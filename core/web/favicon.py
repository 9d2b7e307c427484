"""/favicon.ico on every host: browsers ask for it whatever the page links, so answer instead of a 404."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

ICON = Path(__file__).resolve().parent / "static" / "web" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon")
