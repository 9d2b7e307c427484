"""Public host pages: landing, pricing, signup and the live subdomain check. Thin: the work is in services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.site.forms import SignupForm, check_slug, slug_error_message
from core.site.services import SignupResult, module_offers, resume_repeated_signup, sign_up
from core.site.web import site_address
from tenants.services import tenant_host


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    context = {"offers": module_offers(_language()), "trial_days": settings.BILLING_TRIAL_DAYS}
    return render(request, "site/landing.html", context)


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    context = {"offers": module_offers(_language()), "trial_days": settings.BILLING_TRIAL_DAYS}
    return render(request, "site/pricing.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    options = {"language": _language(), "base_domain": settings.BASE_DOMAIN}
    if request.method != "POST":
        form = SignupForm(initial={"modules": request.GET.getlist("module")}, **options)
        return render(request, "site/signup.html", {"form": form})
    form = SignupForm(request.POST, **options)
    result: SignupResult | None = None
    try:
        if form.is_valid():
            result = sign_up(form.signup_request(), site_address(request))
        elif form.only_slug_taken():
            result = resume_repeated_signup(form.signup_request(), site_address(request))
    except ValidationError as error:
        form.add_service_errors(error)
    if result is not None:
        return HttpResponseRedirect(result.next_url)
    return render(request, "site/signup.html", {"form": form})


@never_cache
@require_GET
def subdomain_check(request: HttpRequest) -> JsonResponse:
    """The signup form's live check; the form checks again on submit, and the unique slug settles races."""
    slug, problem = check_slug(request.GET.get("slug", ""))
    if problem:
        return JsonResponse({"slug": slug, "available": False, "code": problem, "message": slug_error_message(problem, slug)})
    from django.utils.translation import gettext as _

    host = tenant_host(slug)
    return JsonResponse(
        {"slug": slug, "available": True, "code": "", "host": host, "message": _("%(host)s is available.") % {"host": host}}
    )
