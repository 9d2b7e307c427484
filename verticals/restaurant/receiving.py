"""Receiving at the kitchen door (收货): the open purchase orders delivered to an outlet's stock location and
the receipt the cook confirms on a phone, posted through the core purchasing service.

Every check the core would refuse with a technical message (over-receipt, missing lot or expiry) is made
here first in the reader's language, so a wrong tap is a message, never a half-written receipt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.purchasing.models import RECEIVABLE_STATES, GoodsReceipt, PurchaseOrder, PurchaseOrderLine
from core.purchasing.services import ReceiptLineInput, purchasing_settings, receive_purchase_order
from verticals.restaurant.exceptions import InvalidQuantity, NotFound
from verticals.restaurant.services import outlet_by_id


@dataclass(frozen=True)
class DeliveryLine:
    """What the cook types for one order line: the quantity in the order's unit, the lot and its expiry."""

    quantity: str
    lot_code: str = ""
    expiry: str = ""


def open_deliveries(outlet_id: int) -> QuerySet[PurchaseOrder]:
    """Orders sent to the outlet's kitchen and not fully received, oldest first."""
    outlet = outlet_by_id(outlet_id)
    return (
        PurchaseOrder.objects.filter(destination_id=outlet.stock_location_id, state__in=RECEIVABLE_STATES)
        .select_related("supplier")
        .prefetch_related("lines__item", "lines__unit")
        .order_by("pk")
    )


def default_expiry(line: PurchaseOrderLine, today: date | None = None) -> date | None:
    """The expiry a perishable delivery gets unless the label says otherwise: today + the item's shelf life."""
    days = line.item.shelf_life_days
    return (today or timezone.localdate()) + timedelta(days=days) if days else None


@transaction.atomic
def receive_delivery(
    outlet_id: int, order_id: int, entries: Mapping[int, DeliveryLine], *, reference: str, actor: str
) -> GoodsReceipt:
    """Post what arrived of one order; lines left blank or at 0 are not delivered yet. `reference` (the form
    token) makes a double tap a no-op."""
    existing = GoodsReceipt.objects.filter(reference=reference, purchase_order_id=order_id).first()
    if existing is not None:  # the same form sent twice: checked first, the open quantities have moved on
        return existing
    order = open_deliveries(outlet_id).filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("This order is not waiting for delivery at this outlet."))
    tolerance = purchasing_settings().over_receipt_tolerance_percent
    lines = []
    for line in order.lines.all():
        entry = entries.get(line.pk)
        if entry is None or not entry.quantity.strip():
            continue
        quantity = _quantity(entry.quantity, line)
        if quantity == 0:
            continue
        if line.received_quantity + quantity > line.quantity * (1 + tolerance / 100):
            raise InvalidQuantity(
                _("%(item)s: %(quantity)s is more than the %(open)s still open on the order.")
                % {"item": line.item.name_zh or line.item.sku, "quantity": quantity, "open": line.open_quantity},
                field=f"quantity_{line.pk}",
            )
        if line.item.lot_tracked and not entry.lot_code.strip():
            raise InvalidQuantity(
                _("%(item)s is tracked by lot: enter the lot code.") % {"item": line.item.name_zh or line.item.sku},
                field=f"lot_{line.pk}",
            )
        expiry = _expiry(entry.expiry, line)
        lines.append(ReceiptLineInput(line.pk, quantity, entry.lot_code.strip(), expiry))
    if not lines:
        raise InvalidQuantity(_("Enter the quantity of at least one line."), field="lines")
    return receive_purchase_order(order, lines, actor=actor, reference=reference)


def _quantity(text: str, line: PurchaseOrderLine) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise InvalidQuantity(_("Enter a number of zero or more."), field=f"quantity_{line.pk}")
    return value


def _expiry(text: str, line: PurchaseOrderLine) -> date | None:
    if not text.strip():
        return default_expiry(line)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidQuantity(_("Enter the expiry date as YYYY-MM-DD."), field=f"expiry_{line.pk}") from None
