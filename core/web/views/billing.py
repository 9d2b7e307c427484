"""Modules & billing (owners and admins): every module with its status, price and trial end, switching
modules on and off, invoices, and the Stripe billing portal; thin views over billing.subscriptions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import subscriptions
from core.modules import registry
from core.web.admin_forms import module_label, reader_messages
from core.web.decorators import require
from core.web.views.accounts import admin_page
from core.web.views.common import change_and_redirect
from tenants.accounts.roles import Permission, role_has

STATUS_LABELS = {
    "trialing": gettext_lazy("Trial"),
    "active": gettext_lazy("Active"),
    "past_due": gettext_lazy("Payment past due"),
    "canceled": gettext_lazy("Canceled (read-only)"),
    "unpaid": gettext_lazy("Unpaid (read-only)"),
    "disabled": gettext_lazy("Off"),
}


@admin_page
def billing_page(request: HttpRequest) -> HttpResponse:
    overview = subscriptions.billing_overview(request.tenant)  # type: ignore[attr-defined]
    always_on = set(registry.always_on_codes())
    rows = [
        {
            "line": line,
            "name": module_label(line.code),
            "status_label": STATUS_LABELS.get(line.status, line.status),
            "always_on": line.code in always_on,
        }
        for line in overview.modules
    ]
    context = {
        "overview": overview,
        "rows": rows,
        "can_pay": role_has(request.user.role, Permission.OWN),  # type: ignore[union-attr]
    }
    return render(request, "web/settings/billing.html", context)


@require_POST
@admin_page
def billing_modules(request: HttpRequest) -> HttpResponse:
    """One button per module posts `enable=<code>` or `disable=<code>`."""
    enable, disable = request.POST.getlist("enable"), request.POST.getlist("disable")
    names = ", ".join(module_label(code) for code in [*enable, *disable])
    return change_and_redirect(
        request,
        lambda: subscriptions.change_modules(request.tenant, enable=enable, disable=disable),  # type: ignore[attr-defined]
        (_("Enabled: %(names)s.") if enable else _("Switched off: %(names)s.")) % {"names": names},
        reverse("web:billing"),
    )


@require_POST
@require(Permission.OWN, module=None)
def billing_portal(request: HttpRequest) -> HttpResponse:
    """Payment methods and invoices are managed in Stripe's billing portal (owner only)."""
    try:
        url = subscriptions.portal_url(request.tenant, return_url=request.build_absolute_uri(reverse("web:billing")))  # type: ignore[attr-defined]
    except ValidationError as error:  # Stripe refused or could not be reached
        for text in reader_messages(error):
            messages.error(request, text)
        return HttpResponseRedirect(reverse("web:billing"))
    if url is None:
        messages.error(request, _("Payments are not set up: the company runs on a local trial."))
        return HttpResponseRedirect(reverse("web:billing"))
    return HttpResponseRedirect(url)
