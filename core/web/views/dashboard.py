"""The dashboard and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.counts.selectors import cycle_counts
from core.logistics.selectors import transfers
from core.purchasing.selectors import purchase_orders
from core.sales.selectors import sales_orders
from core.web.decorators import require
from tenants.accounts.roles import Permission


@require(Permission.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    # What waits for someone today, each figure linking to the list filtered on its first state.
    tiles: list[tuple[Promise, Callable[..., QuerySet[Any]], list[str], str]] = [
        (_("Purchase orders awaiting approval"), purchase_orders, ["submitted"], "web:po_list"),
        (_("Purchase orders awaiting goods"), purchase_orders, ["sent", "partially_received"], "web:po_list"),
        (_("Sales orders to pick and ship"), sales_orders, ["allocated", "picking"], "web:so_list"),
        (_("Transfers in transit"), transfers, ["shipped"], "web:transfer_list"),
        (_("Counts in progress"), cycle_counts, ["counting"], "web:count_list"),
    ]
    context = {
        "tiles": [
            {"label": label, "value": select(states=states).count(), "url": f"{reverse(name)}?state={states[0]}"}
            for label, select, states, name in tiles
        ]
    }
    return render(request, "web/dashboard.html", context)


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
