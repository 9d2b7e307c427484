"""Tenant host views of the signup flow: the login handoff, the email verification link and its resend."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.site.services import (
    HandoffRefused,
    VerificationRefused,
    confirm_email,
    pending_verification,
    redeem_handoff,
    send_verification_email,
)
from core.site.web import site_address

DEFAULT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _no_leak(response: HttpResponse) -> HttpResponse:
    # The token sits in the URL: keep it out of caches and out of the Referer sent to other sites.
    # Not "no-referrer": under that policy Chromium posts the confirm form with `Origin: null`, which
    # Django's CSRF check refuses (403). "same-origin" sends the Origin (and Referer) only to this host.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_GET
def handoff(request: HttpRequest) -> HttpResponse:
    """Sign the new owner in on their own host with the one-time token from the signup page."""
    from tenants.accounts.models import User

    try:
        email = redeem_handoff(request.tenant, request.GET.get("token", ""))  # type: ignore[attr-defined]
        user = User.objects.get(email=email, is_active=True)
    except (HandoffRefused, User.DoesNotExist):
        return _no_leak(render(request, "site/handoff_refused.html", status=400))
    login(request, user, backend=(settings.AUTHENTICATION_BACKENDS or [DEFAULT_BACKEND])[0])
    if request.GET.get("checkout") == "cancelled":
        messages.info(request, _("No card was added. Your trial is running; set up billing on the modules & billing page."))
    response = HttpResponseRedirect(reverse("web:dashboard"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=365 * 24 * 3600)
    return _no_leak(response)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button, POST verifies: mail scanners that open links must not use them up."""
    tenant = request.tenant  # type: ignore[attr-defined]
    try:
        if request.method == "POST":
            email = confirm_email(tenant, token)
            return _no_leak(render(request, "site/verify_result.html", {"verified": True, "email": email}))
        email = pending_verification(tenant, token)
    except VerificationRefused:
        return _no_leak(render(request, "site/verify_result.html", {"verified": False}, status=400))
    return _no_leak(render(request, "site/verify_confirm.html", {"email": email}))


@require_POST
@login_required
def resend_verification(request: HttpRequest) -> HttpResponse:
    email = getattr(request.user, "email", "")  # login_required: a tenant user
    if send_verification_email(request.tenant, email, site_address(request)):  # type: ignore[attr-defined]
        messages.success(request, _("We sent a new verification link to %(email)s.") % {"email": email})
    target = request.POST.get("next") or reverse("web:dashboard")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:dashboard")
    return HttpResponseRedirect(target)
