"""Manufacturing pages: ECOs with their impact report (the front door), BOM tree with where-used, the MRP
workbench, the line-side work order (phone-first issue and complete) and lead-time predictions."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.catalog.models import Item
from core.locations.models import Location, LocationKind
from core.web.decorators import require
from core.web.views.common import actor, paginate, run_action
from tenants.accounts.roles import Permission
from verticals.discrete_mfg import boms, mrp, planned_orders, selectors, structure, work_orders
from verticals.discrete_mfg.impact import eco_impact
from verticals.discrete_mfg.models import (
    BomState,
    BomVersion,
    EngineeringChange,
    LeadTimePrediction,
    MrpMessage,
    MrpRun,
    PlannedOrder,
    WorkOrder,
)

MODULE = "discrete_mfg"


@require(Permission.VIEW, module=MODULE)
def eco_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.engineering_changes())
    return render(request, "discrete_mfg/eco_list.html", {"page": page, "assemblies": released_assemblies()})


@require(Permission.VIEW, module=MODULE)
def eco_detail(request: HttpRequest, pk: int) -> HttpResponse:
    eco = get_object_or_404(selectors.engineering_changes(), pk=pk)
    context = {"eco": eco, "impact": eco_impact(eco), "can_manage": actor(request).can(Permission.MANAGE)}
    return render(request, "discrete_mfg/eco_detail.html", context)


@require_POST
@require(Permission.MANAGE, module=MODULE)
def eco_submit(request: HttpRequest, pk: int) -> HttpResponse:
    eco = get_object_or_404(EngineeringChange, pk=pk)
    run_action(request, lambda: boms.submit_eco(eco, actor=actor(request)), _("The ECO is in review."))
    return HttpResponseRedirect(reverse("discrete_mfg:eco_detail", args=[pk]))


@require_POST
@require(Permission.MANAGE, module=MODULE)
def eco_release(request: HttpRequest, pk: int) -> HttpResponse:
    eco = get_object_or_404(EngineeringChange, pk=pk)
    run_action(request, lambda: boms.release_eco(eco, actor=actor(request)), _("The ECO is released."))
    return HttpResponseRedirect(reverse("discrete_mfg:eco_detail", args=[pk]))


@require(Permission.VIEW, module=MODULE)
def bom_tree(request: HttpRequest, item_pk: int) -> HttpResponse:
    """The released structure below an item (indented rows) and every assembly above it."""
    item = get_object_or_404(Item, pk=item_pk)
    today = timezone.localdate()
    rows = selectors.bom_tree(item.pk, on=today)
    parents = [(used.item, used.level) for used in selectors.where_used(item.pk, on=today)]
    versions = BomVersion.objects.filter(item=item).order_by("-version")
    context = {
        "item": item,
        "rows": rows,
        "parents": parents,
        "versions": versions,
        "cost": structure.rolled_up_costs([item.pk], on=today).get(item.pk),
    }
    return render(request, "discrete_mfg/bom_tree.html", context)


@require(Permission.VIEW, module=MODULE)
def mrp_workbench(request: HttpRequest) -> HttpResponse:
    run = MrpRun.objects.order_by("-started_at", "-pk").first()
    planned = (
        PlannedOrder.objects.filter(run=run).select_related("item").order_by("release_on", "item__sku")
        if run
        else PlannedOrder.objects.none()
    )
    messages = MrpMessage.objects.filter(run=run).select_related("item").order_by("kind", "suggested_date")[:200] if run else []
    locations = Location.objects.filter(kind=LocationKind.INTERNAL, active=True).order_by("code")
    context = {
        "run": run,
        "page": paginate(request, planned),
        "action_messages": messages,
        "locations": locations,
        "flagged": planned.filter(flagged=True).count() if run else 0,
        "can_manage": actor(request).can(Permission.MANAGE),
    }
    return render(request, "discrete_mfg/mrp.html", context)


@require_POST
@require(Permission.MANAGE, module=MODULE)
def mrp_run(request: HttpRequest) -> HttpResponse:
    location = get_object_or_404(Location, pk=request.POST.get("location") or 0, kind=LocationKind.INTERNAL)
    run_action(request, lambda: mrp.run_mrp(location.pk, actor=actor(request)), _("MRP has planned the location."))
    return HttpResponseRedirect(reverse("discrete_mfg:mrp"))


@require_POST
@require(Permission.MANAGE, module=MODULE)
def planned_order_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbench's firm and release buttons on one planned order."""
    action, who = request.POST.get("action", ""), actor(request)
    if action == "firm":
        run_action(request, lambda: planned_orders.firm_planned_order(pk, actor=who), _("The planned order is firmed."))
    elif action == "release":
        released = run_action(
            request, lambda: planned_orders.release_planned_order(pk, actor=who), _("The planned order is released.")
        )
        if released is not None and released.document_type == planned_orders.WORK_ORDER:
            return HttpResponseRedirect(reverse("discrete_mfg:work_order", args=[released.document_id]))
    return HttpResponseRedirect(reverse("discrete_mfg:mrp"))


@require(Permission.VIEW, module=MODULE)
def work_order_list(request: HttpRequest) -> HttpResponse:
    return render(request, "discrete_mfg/work_order_list.html", {"page": paginate(request, selectors.work_orders())})


@require(Permission.VIEW, module=MODULE)
def work_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(WorkOrder.objects.select_related("item"), pk=pk)
    timeline, reason = work_orders.work_order_timeline(order)
    context = {
        "order": order,
        "components": order.components.select_related("item"),
        "timeline": timeline,
        "reason": reason,
        "token": uuid.uuid4().hex,
        "can_operate": actor(request).can(Permission.OPERATE),
    }
    return render(request, "discrete_mfg/work_order.html", context)


@require_POST
@require(Permission.OPERATE, module=MODULE)
def work_order_action(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(WorkOrder, pk=pk)
    action, token = request.POST.get("action", ""), request.POST.get("token", "")[:60]
    who = actor(request)
    if action == "release":
        run_action(request, lambda: work_orders.release_work_order(order, actor=who), _("Work order released."))
    elif action == "issue":
        run_action(request, lambda: work_orders.issue_pick_list(order, reference=token, actor=who), _("Components issued."))
    elif action == "complete":
        try:
            good = Decimal(request.POST.get("quantity") or "0")
            scrap = Decimal(request.POST.get("scrap") or "0")
        except InvalidOperation:
            good, scrap = Decimal("-1"), Decimal("0")
        run_action(
            request,
            lambda: work_orders.complete_work_order(
                order,
                quantity=good,
                scrap_quantity=scrap,
                scrap_reason=request.POST.get("reason", ""),
                reference=token,
                actor=who,
            ),
            _("Completion recorded."),
        )
    return HttpResponseRedirect(reverse("discrete_mfg:work_order", args=[pk]))


@require(Permission.VIEW, module=MODULE)
def lead_times(request: HttpRequest) -> HttpResponse:
    predictions = LeadTimePrediction.objects.select_related("item").order_by("-p90")
    return render(request, "discrete_mfg/lead_times.html", {"predictions": predictions})


def released_assemblies() -> list[BomVersion]:
    return list(BomVersion.objects.filter(state=BomState.RELEASED).select_related("item").order_by("item__sku")[:200])
