"""Tenant web app views: thin, reading through selectors and writing through services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.web.decorators import require
from tenants.accounts.roles import Permission


@require(Permission.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "zh-hans")
    if language not in ("zh-hans", "en"):
        language = "zh-hans"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    if request.user.is_authenticated and getattr(request.user, "language", None) != language:
        from tenants.accounts.models import User

        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
