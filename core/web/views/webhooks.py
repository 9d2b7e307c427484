"""Webhook endpoints (owners and admins): create (the signing secret is shown once), list, switch off and
on, and the recent deliveries with their status; thin views over core.events services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.events import selectors, services
from core.events.exceptions import EventsErrorCode
from core.web.admin_forms import WebhookEndpointForm
from core.web.views.accounts import admin_page

RECENT_DELIVERIES = 20
FIELD_OF = {"url": "url", "eventTypes": "event_types"}
ENDPOINT_ERRORS = {
    EventsErrorCode.INVALID_WEBHOOK_URL.value: gettext_lazy("Enter an http:// or https:// URL on a public address."),
    EventsErrorCode.INVALID_EVENT_TYPE.value: gettext_lazy(
        "Unknown event type: use e.g. purchase_order.submitted, purchase_order.* or *."
    ),
}
STATUS_LABELS = {
    "pending": gettext_lazy("Pending"),
    "failed": gettext_lazy("Failed, will retry"),
    "succeeded": gettext_lazy("Delivered"),
    "dead": gettext_lazy("Gave up"),
}


def _page(request: HttpRequest, form: WebhookEndpointForm | None = None, **extra: Any) -> HttpResponse:
    deliveries = selectors.webhook_deliveries(with_attempts=False)[:RECENT_DELIVERIES]
    context = {
        "endpoints": selectors.webhook_endpoints(),
        "deliveries": [{"delivery": d, "status_label": STATUS_LABELS.get(d.status, d.status)} for d in deliveries],
        "form": form or WebhookEndpointForm(),
        **extra,
    }
    response = render(request, "web/settings/webhooks.html", context, status=400 if form is not None and form.errors else 200)
    if "secret" in extra:
        add_never_cache_headers(response)
    return response


@admin_page
def webhook_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = WebhookEndpointForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        endpoint = services.create_webhook_endpoint(
            form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
        )
    except DomainError as error:
        summary = ENDPOINT_ERRORS.get(error.code)
        form.add_error(FIELD_OF.get(error.field or ""), f"{summary} ({error})" if summary else str(error))
        return _page(request, form)
    messages.success(request, _("Endpoint added. Copy the signing secret now: it is not shown again."))
    return _page(request, None, secret=endpoint.secret, new_endpoint=endpoint)


@require_POST
@admin_page
def webhook_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        endpoint = services.update_webhook_endpoint(pk, active=active)
    except DomainError as error:
        if error.code == EventsErrorCode.NOT_FOUND.value:
            raise Http404("No such endpoint.") from None
        messages.error(request, str(error))
    else:
        text = _("%(url)s receives events again.") if active else _("%(url)s no longer receives events.")
        messages.success(request, text % {"url": endpoint.url})
    return HttpResponseRedirect(reverse("web:webhook_list"))
