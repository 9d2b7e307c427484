"""Manufacturing reads: open work-order supply for inventory position, lists for the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from core.catalog.models import Item
from verticals.discrete_mfg import structure
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


@dataclass(frozen=True)
class TreeRow:
    """One line of the released structure below an item, in display order (depth 1 = direct component)."""

    depth: int
    item: Item
    parent_id: int
    per_unit: Decimal | None
    phantom: bool  # the component is itself a phantom assembly

    @property
    def indent(self) -> float:
        return self.depth * 1.2


@dataclass(frozen=True)
class UsedIn:
    """An assembly that contains the item; `level` is the shallowest level it is found at (1 = direct parent)."""

    item: Item
    level: int


def bom_tree(item_id: int, *, on: date) -> list[TreeRow]:
    """The released structure below `item_id`, depth first by SKU: one recursive query and one item read."""
    edges = structure.edges_below([item_id], on=on)
    below = structure.children_by_parent(edges)
    items = Item.objects.in_bulk({item_id, *(e.child_id for e in edges)})
    rows: list[TreeRow] = []

    def walk(parent: int, depth: int, seen: frozenset[int]) -> None:
        for edge in sorted(below.get(parent, []), key=lambda e: items[e.child_id].sku):
            phantom = any(e.phantom for e in below.get(edge.child_id, ()))
            rows.append(TreeRow(depth, items[edge.child_id], parent, edge.per_unit, phantom))
            if edge.child_id not in seen and depth < structure.MAX_DEPTH:  # a cycle is refused on save; stay safe
                walk(edge.child_id, depth + 1, seen | {edge.child_id})

    walk(item_id, 1, frozenset({item_id}))
    return rows


def where_used(item_id: int, *, on: date) -> list[UsedIn]:
    """Every released assembly above `item_id`, nearest first, then by SKU."""
    levels = structure.where_used(item_id, on=on)
    items = Item.objects.in_bulk(list(levels))
    return sorted((UsedIn(items[pk], level) for pk, level in levels.items()), key=lambda u: (u.level, u.item.sku))
