"""Manufacturing reads: open work-order supply for inventory position, lists for the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from verticals.discrete_mfg.models import OPEN_WORK_ORDER_STATES, EngineeringChange, WorkOrder

QUANTITY_PLACES = Decimal("0.0001")


def open_work_order_quantities(
    item_ids: Iterable[int] | None, location_ids: Iterable[int] | None
) -> dict[tuple[int, int], Decimal]:
    """在制: what open work orders will still put into stock, per (item, destination), in base units."""
    orders = WorkOrder.objects.filter(state__in=OPEN_WORK_ORDER_STATES)
    if item_ids is not None:
        orders = orders.filter(item_id__in=list(item_ids))
    if location_ids is not None:
        orders = orders.filter(destination_id__in=list(location_ids))
    remaining = ExpressionWrapper(
        F("quantity") - F("completed_quantity") - F("scrapped_quantity"),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    rows = orders.values("item_id", "destination_id").annotate(open=Sum(remaining))
    return {
        (row["item_id"], row["destination_id"]): Decimal(row["open"]).quantize(QUANTITY_PLACES)
        for row in rows
        if row["open"] and row["open"] > 0
    }


def engineering_changes(*, states: Iterable[str] | None = None) -> QuerySet[EngineeringChange]:
    queryset = EngineeringChange.objects.select_related("new_version__item", "base_version")
    if states:
        queryset = queryset.filter(state__in=list(states))
    return queryset.order_by("-created_at", "-pk")


def work_orders(*, states: Iterable[str] | None = None) -> QuerySet[WorkOrder]:
    queryset = WorkOrder.objects.select_related("item")
    if states:
        queryset = queryset.filter(state__in=list(states))
    return queryset.order_by("-created_at", "-pk")
