"""The dashboard (work waiting, inventory health, risks, forecast against actual) and the language switch."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.planning import dashboard as insights
from core.web.decorators import require
from core.web.onboarding import checklist
from tenants.accounts.roles import Permission

# The IHI components in the order the page shows them, with the words a person reads.
COMPONENT_LABELS: dict[str, Promise] = {
    "cover": _("Days of cover"),
    "stockout": _("Stockout risk"),
    "excess_ageing": _("Excess and ageing"),
    "expiry": _("Expiry"),
    "accuracy": _("Forecast accuracy"),
}

# Series names and axis titles the chart script shows (json_script turns the lazy strings into text).
CHART_LABELS: dict[str, Promise] = {
    "p10": _("P10"),
    "p90": _("P90 (band P10–P90)"),
    "p50": _("P50 (median)"),
    "actual": _("Actual sales"),
    "quantity": _("Quantity per day"),
    "today": _("Today"),
    "index": _("Index"),
    "value": _("Stock value"),
    "contribution": _("Contribution to the P50 total"),
}


# The work-waiting tiles (core.planning.dashboard.WORK_QUEUES): the words and the list each figure links to.
TILES: dict[str, tuple[Promise, str]] = {
    "purchase_orders_awaiting_approval": (_("Purchase orders awaiting approval"), "web:po_list"),
    "purchase_orders_awaiting_goods": (_("Purchase orders awaiting goods"), "web:po_list"),
    "replenishment_to_decide": (_("Replenishment proposals to decide"), "web:replenishment"),
    "sales_orders_to_ship": (_("Sales orders to pick and ship"), "web:so_list"),
    "transfers_in_transit": (_("Transfers in transit"), "web:transfer_list"),
    "counts_in_progress": (_("Counts in progress"), "web:count_list"),
}


def _tiles() -> list[dict[str, Any]]:
    # What waits for someone today, each figure linking to the list filtered on its first state.
    return [
        {"label": TILES[queue.code][0], "value": queue.count, "url": f"{reverse(TILES[queue.code][1])}?state={queue.states[0]}"}
        for queue in insights.work_waiting()
    ]


@require(Permission.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    health = insights.health_summary()
    components = [
        {"code": code, "label": str(label), "value": health.components.get(code)} for code, label in COMPONENT_LABELS.items()
    ]
    choices = insights.forecast_choices()
    chosen = insights.parse_pair(request.GET.get("series"), choices)
    stock_by_location = insights.stock_value_by_location()
    context = {
        "onboarding": checklist(request.tenant, get_language() or "zh-hans"),  # type: ignore[attr-defined]
        "tiles": _tiles(),
        "health": health,
        "components": components,
        "expiring": insights.expiring_stock(),
        "in_transit": insights.in_transit(),
        "forecast_choices": choices,
        "forecast_chosen": chosen,
        "forecast_data": insights.forecast_series(chosen.item_id, chosen.location_id) if chosen else None,
        "forecast_explanation": insights.forecast_explanation(chosen.item_id, chosen.location_id) if chosen else None,
        # Two small charts: the IHI components (once anything is scored) and stock value per location.
        "health_chart": {
            "labels": [c["label"] for c in components if c["value"] is not None],
            "values": [float(c["value"]) for c in components if c["value"] is not None],
        },
        "chart_labels": CHART_LABELS,
        "stock_chart": {
            "labels": [code for code, _value in stock_by_location],
            "values": [float(value) for _code, value in stock_by_location],
        },
    }
    return render(request, "web/dashboard.html", context)


@require(Permission.VIEW)
def forecast_chart_data(request: HttpRequest) -> JsonResponse:
    """The forecast chart's data for one item × location (`?series=<item>:<location>`), for scripts and tests."""
    raw = request.GET.get("series")
    chosen = insights.parse_pair(raw, insights.forecast_choices())
    if raw and (chosen is None or chosen.value != raw):
        raise Http404("No forecast for this item and location.")
    if chosen is None:
        return JsonResponse({"series": None})
    return JsonResponse(
        {"series": chosen.value, "label": chosen.label, **insights.forecast_series(chosen.item_id, chosen.location_id)}
    )


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
