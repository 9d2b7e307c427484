"""Sales order pages: list by state, create, detail with confirm/allocate/pick/ship/deliver/close/cancel."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import Actor
from core.sales import selectors
from core.sales.models import Backorder, BackorderState, SalesOrder
from core.sales.models import SalesOrderState as S
from core.sales.services import (
    SalesLineInput,
    allocate_sales_order,
    cancel_sales_order,
    close_sales_order,
    confirm_sales_order,
    create_sales_order,
    deliver_sales_order,
    pick_sales_order,
    ship_sales_order,
)
from core.web.decorators import require
from core.web.forms import OrderLineFormSet, SalesOrderForm, filled_lines
from core.web.money import company_currency
from core.web.views.common import (
    DocumentAction,
    actor,
    create_once,
    new_form_token,
    paginate,
    perform_action,
    query_without_page,
    state_choices,
)
from tenants.accounts.roles import Permission

ACTIONS = (
    DocumentAction("confirm", gettext_lazy("Confirm"), S.CONFIRMED, lambda so, who: confirm_sales_order(so, actor=who)),
    DocumentAction("allocate", gettext_lazy("Allocate stock"), S.ALLOCATED, lambda so, who: allocate_sales_order(so, actor=who)),
    DocumentAction(
        "reallocate", gettext_lazy("Check stock again"), S.ALLOCATED, lambda so, who: allocate_sales_order(so, actor=who)
    ),
    DocumentAction("pick", gettext_lazy("Pick"), S.PICKING, lambda so, who: pick_sales_order(so, actor=who)),
    DocumentAction(
        "pick_partial",
        gettext_lazy("Ship what is in stock"),
        S.PICKING,
        lambda so, who: pick_sales_order(so, actor=who, partial=True),
    ),
    DocumentAction("ship", gettext_lazy("Ship"), S.SHIPPED, lambda so, who: ship_sales_order(so, actor=who)),
    DocumentAction("deliver", gettext_lazy("Mark delivered"), S.DELIVERED, lambda so, who: deliver_sales_order(so, actor=who)),
    DocumentAction("close", gettext_lazy("Close"), S.CLOSED, lambda so, who: close_sales_order(so, actor=who)),
    DocumentAction("cancel", gettext_lazy("Cancel"), S.CANCELLED, lambda so, who: cancel_sales_order(so, actor=who), danger=True),
)


# What each state offers; an allocated order that is short offers "check stock again" and a partial
# shipment instead of a Pick the service would refuse.
ACTIONS_BY_STATE = {
    S.DRAFT: ("confirm", "cancel"),
    S.CONFIRMED: ("allocate", "cancel"),
    S.PICKING: ("ship", "cancel"),
    S.SHIPPED: ("deliver",),
    S.DELIVERED: ("close",),
}


def offered_actions(order: SalesOrder, who: Actor) -> list[DocumentAction]:
    if order.state == S.ALLOCATED:
        short = Backorder.objects.filter(line__sales_order=order, state=BackorderState.OPEN).exists()
        if not short:
            names: tuple[str, ...] = ("pick", "cancel")
        elif order.lines.filter(allocated_quantity__gt=0).exists():
            names = ("reallocate", "pick_partial", "cancel")
        else:
            names = ("reallocate", "cancel")
    else:
        names = ACTIONS_BY_STATE.get(S(order.state), ())
    by_name = {action.name: action for action in ACTIONS}
    return [by_name[name] for name in names if who.can(by_name[name].permission)]


@require(Permission.VIEW)
def so_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    queryset = selectors.sales_orders(states=[state] if state else None).select_related("customer", "source")
    context = {
        "page": paginate(request, queryset),
        "states": state_choices(SalesOrder),
        "state": state,
        "query": query_without_page(request),
    }
    return render(request, "web/sales/list.html", context)


@require(Permission.OPERATE)
def so_create(request: HttpRequest) -> HttpResponse:
    form = SalesOrderForm(request.POST or None, initial={"token": new_form_token()})
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        entries = [
            SalesLineInput(item_id=line["item"].pk, quantity=line["quantity"], unit_price=line["unit_price"] or Decimal("0"))
            for line in filled_lines(lines)
        ]
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: create_sales_order(
                customer=form.cleaned_data["customer"],
                source=form.cleaned_data["source"],
                lines=entries,
                actor=actor(request),
                currency=company_currency(),
                shipping_address=form.cleaned_data["shipping_address"],
                notes=form.cleaned_data["notes"],
            ),
            lambda order: reverse("web:so_detail", args=[order.pk]),
            lambda order: _("Sales order %(number)s created.") % {"number": order.number},
        )
        if done is not None:
            return done
    return render(request, "web/sales/form.html", {"form": form, "lines": lines})


@require(Permission.VIEW)
def so_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(SalesOrder.objects.select_related("customer", "source"), pk=pk)
    backorders = {b.line_id: b.quantity for b in Backorder.objects.filter(line__sales_order=order, state=BackorderState.OPEN)}
    lines = [{"line": line, "backordered": backorders.get(line.pk)} for line in order.lines.select_related("item", "unit")]
    context = {
        "order": order,
        "lines": lines,
        "shipments": order.shipments.all(),
        "actions": offered_actions(order, actor(request)),
        "backorders": backorders,
    }
    return render(request, "web/sales/detail.html", context)


@require_POST
@require(Permission.OPERATE)
def so_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = get_object_or_404(SalesOrder, pk=pk)
    perform_action(request, order, ACTIONS, action)
    return HttpResponseRedirect(reverse("web:so_detail", args=[order.pk]))
