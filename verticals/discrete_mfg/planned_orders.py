"""The MRP workbench's actions on a planned order: firm it (the next run keeps it as supply instead of
re-planning it) or release it into a real purchase order or work order.

Each action locks the planned order's row first, so two planners pressing "release" at once make one document;
releasing again returns the document made the first time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.access import Actor, actor_label
from core.events.services import record_event
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import OrderLineInput, create_purchase_order
from verticals.discrete_mfg.exceptions import MfgNotFound, NoSupplier, PlannedOrderClosed
from verticals.discrete_mfg.models import MfgItem, MrpRun, PlannedOrder, PlannedOrderKind, WorkOrder
from verticals.discrete_mfg.work_orders import create_work_order

PURCHASE_ORDER, WORK_ORDER = "purchase_order", "work_order"


@dataclass(frozen=True)
class Released:
    planned_order: PlannedOrder
    document_type: str
    document_id: int
    number: str
    created: bool


def _locked(planned_order_id: int) -> PlannedOrder:
    order = PlannedOrder.objects.select_for_update().select_related("run", "item").filter(pk=planned_order_id).first()
    if order is None:
        raise MfgNotFound(_("This planned order does not exist."))
    return order


def _refuse_closed(order: PlannedOrder) -> None:
    if order.flagged:
        raise PlannedOrderClosed(
            _("This planned order was flagged (%(reason)s): it serves no demand any more.") % {"reason": order.flag_reason}
        )
    latest = MrpRun.objects.filter(location_id=order.run.location_id).order_by("-started_at", "-pk").first()
    if latest is not None and latest.pk != order.run_id and not order.firmed:
        # A newer run re-planned the location; acting on the older proposal would double the supply.
        raise PlannedOrderClosed(_("A newer MRP run replaced this planned order: act on the latest run."))


@transaction.atomic
def firm_planned_order(planned_order_id: int, *, actor: Actor | str) -> PlannedOrder:
    """Firm the order: its quantity and date stand, and later runs count it as scheduled supply."""
    order = _locked(planned_order_id)
    if order.firmed:
        return order
    _refuse_closed(order)
    order.firmed = True
    order.save(update_fields=["firmed"])
    record_event("planned_order.firmed", "planned_order", order.pk, actor=actor_label(actor), payload={"item": order.item.sku})
    return order


@transaction.atomic
def release_planned_order(planned_order_id: int, *, actor: Actor | str) -> Released:
    """Turn the planned order into a draft purchase order (to its part's supplier) or a draft work order."""
    order = _locked(planned_order_id)
    if order.released_document_id is not None:
        return Released(order, order.released_document_type, order.released_document_id, _number_of(order), False)
    _refuse_closed(order)
    who = actor_label(actor)
    if order.kind == PlannedOrderKind.PURCHASE:
        document_type, document_id, number = PURCHASE_ORDER, *_purchase(order, who)
    else:
        work_order = create_work_order(
            order.item_id,
            order.quantity,
            source=order.run.location,
            destination=order.run.location,
            due_date=order.due_on,
            planned_order_id=order.pk,
            actor=who,
        )
        document_type, document_id, number = WORK_ORDER, work_order.pk, work_order.number
    order.firmed, order.released_document_type, order.released_document_id, order.released_by = (
        True,
        document_type,
        document_id,
        who[:150],
    )
    order.save(update_fields=["firmed", "released_document_type", "released_document_id", "released_by"])
    record_event(
        "planned_order.released",
        "planned_order",
        order.pk,
        actor=who,
        payload={"item": order.item.sku, "document_type": document_type, "document_id": document_id, "number": number},
    )
    return Released(order, document_type, document_id, number, True)


def _purchase(order: PlannedOrder, actor: str) -> tuple[int, str]:
    profile = MfgItem.objects.select_related("supplier").filter(item_id=order.item_id).first()
    if profile is None or profile.supplier is None:
        raise NoSupplier(
            _("%(sku)s has no supplier in its planning profile: set one before releasing the purchase.") % {"sku": order.item.sku}
        )
    po = create_purchase_order(
        supplier=profile.supplier,
        destination=order.run.location,
        lines=[OrderLineInput(order.item_id, order.quantity, unit_price=profile.standard_cost)],
        expected_date=order.due_on,
        notes=_("Released from MRP run %(run)s") % {"run": order.run.run_key},
        actor=actor,
    )
    return po.pk, po.number


def _number_of(order: PlannedOrder) -> str:
    if order.released_document_id is None:
        return ""
    model = PurchaseOrder if order.released_document_type == PURCHASE_ORDER else WorkOrder
    return str(model.objects.filter(pk=order.released_document_id).values_list("number", flat=True).first() or "")
