"""Deviation pages (phone-first): the open investigations with their held lots, and the owner's decision."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.entitlements import can_write_module
from core.access import actor_label
from core.web.decorators import require
from core.web.views.common import actor, run_action
from tenants.accounts.roles import Permission
from verticals.food import deviations
from verticals.food.models import Deviation, DeviationState

MODULE = "food"


@require(Permission.VIEW, module=MODULE)
def deviation_list(request: HttpRequest) -> HttpResponse:
    rows = Deviation.objects.select_related("sensor").prefetch_related("lots__lot", "lots__item")[:100]
    writable = can_write_module(request.tenant, MODULE) and actor(request).can(Permission.MANAGE)  # type: ignore[attr-defined]
    return render(
        request, "food/deviations.html", {"deviations": rows, "can_manage": writable, "decisions": deviations.DECISIONS}
    )


@require(Permission.MANAGE, module=MODULE)
def deviation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = get_object_or_404(Deviation, pk=pk)
    decision = request.POST.get("decision", "")
    if request.method == "POST":
        run_action(
            request,
            lambda: deviations.decide(deviation, decision, actor=actor_label(actor(request)), note=request.POST.get("note", "")),
            _("Deviation %(id)s decided: %(decision)s.") % {"id": deviation.pk, "decision": DeviationState(decision).label}
            if decision in deviations.DECISIONS
            else "",
        )
    return HttpResponseRedirect(reverse("food:deviations"))
