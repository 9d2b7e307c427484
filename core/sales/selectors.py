"""Sales reads: order lists with filters, and open backorders for inventory position."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.events.documents import document_list
from core.sales.models import Backorder, BackorderState, SalesOrder

ORDERINGS = {
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "total": ("total", "pk"),
    "-total": ("-total", "-pk"),
}


def sales_orders(
    *,
    states: Iterable[str] | None = None,
    customer_id: int | None = None,
    source_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    ordering: str = "-created",
) -> QuerySet[SalesOrder]:
    return document_list(
        SalesOrder.objects.all(),
        ORDERINGS,
        states=states,
        created_from=created_from,
        created_to=created_to,
        ordering=ordering,
        customer_id=customer_id,
        source_id=source_id,
    )


def backorder_quantities(item_ids: Iterable[int] | None, location_ids: Iterable[int] | None) -> dict[tuple[int, int], Decimal]:
    """Open backorders per (item, source location), negative: stock already owed to customers."""
    backorders = Backorder.objects.filter(state=BackorderState.OPEN, quantity__gt=0)
    if item_ids is not None:
        backorders = backorders.filter(item_id__in=list(item_ids))
    if location_ids is not None:
        backorders = backorders.filter(location_id__in=list(location_ids))
    rows = backorders.values("item_id", "location_id").annotate(owed=Sum("quantity"))
    return {(row["item_id"], row["location_id"]): -row["owed"] for row in rows}
