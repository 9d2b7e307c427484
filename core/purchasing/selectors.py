"""Purchasing reads: order lists with filters, and the open purchase quantity for inventory position."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from core.events.documents import document_list
from core.purchasing.models import OPEN_STATES, PurchaseOrder, PurchaseOrderLine

QUANTITY_PLACES = Decimal("0.0001")  # the ledger's precision
ORDERINGS = {
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "total": ("total", "pk"),
    "-total": ("-total", "-pk"),
    "expected": ("expected_date", "pk"),
    "-expected": ("-expected_date", "-pk"),
}


def purchase_orders(
    *,
    states: Iterable[str] | None = None,
    supplier_id: int | None = None,
    destination_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    urgent: bool | None = None,
    ordering: str = "-created",
) -> QuerySet[PurchaseOrder]:
    return document_list(
        PurchaseOrder.objects.all(),
        ORDERINGS,
        states=states,
        created_from=created_from,
        created_to=created_to,
        ordering=ordering,
        supplier_id=supplier_id,
        destination_id=destination_id,
        urgent=urgent,
    )


def open_purchase_quantities(
    item_ids: Iterable[int] | None, location_ids: Iterable[int] | None
) -> dict[tuple[int, int], Decimal]:
    """Ordered − received, in base units, per (item, destination) over orders still expected to deliver.

    Goods a supplier has already shipped (an InboundShipment marks them in transit) stay here until they
    are received: they are never also counted as in transit, so position counts them exactly once.
    """
    lines = PurchaseOrderLine.objects.filter(purchase_order__state__in=OPEN_STATES, quantity__gt=F("received_quantity"))
    if item_ids is not None:
        lines = lines.filter(item_id__in=list(item_ids))
    if location_ids is not None:
        lines = lines.filter(purchase_order__destination_id__in=list(location_ids))
    open_base = ExpressionWrapper(
        (F("quantity") - F("received_quantity")) * F("unit_factor"), output_field=DecimalField(max_digits=30, decimal_places=10)
    )
    rows = lines.values("item_id", "purchase_order__destination_id").annotate(open=Sum(open_base))
    return {
        (row["item_id"], destination): Decimal(row["open"]).quantize(QUANTITY_PLACES)
        for row in rows
        if row["open"] and (destination := row["purchase_order__destination_id"]) is not None
    }
