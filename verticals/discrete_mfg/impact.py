"""BOM-change impact analysis (BOM变更影响范围): what a draft ECO touches, before it is released.

Open work orders and what they already issued, open purchase orders for removed parts, idle stock of removed
parts with its value, open sales orders whose promise date moves, the cost roll-up before and after, and
every parent reached. A fixed number of set-based queries, whatever the number of assemblies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from core.catalog.models import Item
from verticals.discrete_mfg import structure
from verticals.discrete_mfg.boms import LineChange, diff_versions
from verticals.discrete_mfg.models import OPEN_WORK_ORDER_STATES, EngineeringChange

ZERO = Decimal("0")
OPEN_PO_STATES = ("submitted", "approved", "sent", "partially_received")
OPEN_SO_STATES = ("draft", "confirmed", "allocated", "picking")


@dataclass(frozen=True)
class ParentReached:
    item_id: int
    sku: str
    name: str
    level: int
    cost_before: Decimal
    cost_after: Decimal


@dataclass(frozen=True)
class AffectedWorkOrder:
    work_order_id: int
    number: str
    state: str
    open_quantity: Decimal
    issued: list[dict[str, Any]]  # components already issued that the change removes or changes


@dataclass(frozen=True)
class AffectedPurchase:
    purchase_order_id: int
    number: str
    sku: str
    open_quantity: Decimal
    value: Decimal
    still_used_elsewhere: bool  # re-purpose rather than cancel


@dataclass(frozen=True)
class IdleStock:
    item_id: int
    sku: str
    on_hand: Decimal
    value: Decimal
    still_used_elsewhere: bool


@dataclass(frozen=True)
class MovedPromise:
    sales_order_id: int
    number: str
    sku: str
    promised_on: date | None
    new_promise: date | None
    days: int


@dataclass
class EcoImpact:
    eco_id: int
    item_id: int
    changes: list[LineChange]
    parents: list[ParentReached] = field(default_factory=list)
    work_orders: list[AffectedWorkOrder] = field(default_factory=list)
    purchase_orders: list[AffectedPurchase] = field(default_factory=list)
    idle_stock: list[IdleStock] = field(default_factory=list)
    sales_orders: list[MovedPromise] = field(default_factory=list)
    cost_before: Decimal = ZERO
    cost_after: Decimal = ZERO
    lead_time_before: int = 0
    lead_time_after: int = 0

    @property
    def idle_value(self) -> Decimal:
        return sum((row.value for row in self.idle_stock if not row.still_used_elsewhere), ZERO)

    def summary(self) -> dict[str, Any]:
        """The figures the rules engine and the timeline read (JSON-safe)."""
        return {
            "open_work_orders": len(self.work_orders),
            "open_purchase_orders": len(self.purchase_orders),
            "idle_stock_value": str(self.idle_value),
            "moved_sales_orders": len(self.sales_orders),
            "parents": len(self.parents),
            "cost_before": str(self.cost_before),
            "cost_after": str(self.cost_after),
            "cost_change_percent": str(self.cost_change_percent),
            "lead_time_change_days": self.lead_time_after - self.lead_time_before,
            "removed_parts": sum(1 for c in self.changes if c.change == "removed"),
        }

    @property
    def cost_change_percent(self) -> Decimal:
        if not self.cost_before:
            return ZERO
        return ((self.cost_after - self.cost_before) / self.cost_before * 100).quantize(Decimal("0.01"))


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def eco_impact(eco: EngineeringChange, *, today: date | None = None) -> EcoImpact:
    today = today or timezone.localdate()
    draft, base = eco.new_version, eco.base_version
    item_id = draft.item_id
    changes = diff_versions(base, draft)
    impact = EcoImpact(eco.pk, item_id, changes)
    hidden = [base.pk] if base is not None else []

    levels = structure.where_used(item_id, on=today)
    roots = [item_id, *levels]
    # One read of everything below the assemblies reached; "after" swaps in the draft's own subtree only.
    before_edges = structure.edges_below(roots, on=today)
    draft_edges = structure.edges_below([item_id], on=today, extra=[draft.pk], hidden=hidden)
    after_edges = list({*(e for e in before_edges if e.parent_id != item_id), *draft_edges})
    structure.check_conversions(after_edges)
    items = set(roots) | {e.child_id for e in after_edges} | {e.child_id for e in before_edges}
    profiles = structure.planning_profiles(items)
    routing = structure.routing_costs({e.bom_id for e in after_edges} | {e.bom_id for e in before_edges})
    before_costs = structure.costs_from_edges(roots, before_edges, profiles, routing)
    # Only the changed assembly and the assemblies above it can change: everything else keeps its cost.
    affected = set(roots)
    unchanged = {pk: cost for pk, cost in before_costs.items() if pk not in affected}
    after_costs = structure.costs_from_edges(roots, after_edges, profiles, routing, known=unchanged)
    impact.cost_before, impact.cost_after = before_costs.get(item_id, ZERO), after_costs.get(item_id, ZERO)
    names = {pk: (sku, name) for pk, sku, name in Item.objects.filter(pk__in=roots).values_list("pk", "sku", "name_zh")}
    impact.parents = sorted(
        (
            ParentReached(pk, names[pk][0], names[pk][1], level, before_costs.get(pk, ZERO), after_costs.get(pk, ZERO))
            for pk, level in levels.items()
        ),
        key=lambda p: (p.level, p.sku),
    )

    touched = {c.component_id for c in changes if c.change in ("removed", "changed")}
    removed = [c.component_id for c in changes if c.change == "removed"]
    impact.work_orders = _work_orders(item_id, touched)
    elsewhere = _used_elsewhere(removed, item_id, today)
    impact.purchase_orders = _purchase_orders(removed, elsewhere)
    impact.idle_stock = _idle_stock(removed, elsewhere)

    before_lt = structure.lead_times_from_edges(roots, before_edges, profiles)
    after_lt = structure.lead_times_from_edges(
        roots, after_edges, profiles, known={pk: days for pk, days in before_lt.items() if pk not in affected}
    )
    impact.lead_time_before, impact.lead_time_after = before_lt.get(item_id, 0), after_lt.get(item_id, 0)
    moved = {pk: after_lt.get(pk, 0) - before_lt.get(pk, 0) for pk in roots}
    impact.sales_orders = _moved_promises({pk: days for pk, days in moved.items() if days}, today)
    return impact


def _work_orders(item_id: int, touched: set[int]) -> list[AffectedWorkOrder]:
    rows = _rows(
        """
        SELECT w.id, w.number, w.state, w.quantity - w.completed_quantity - w.scrapped_quantity,
               c.item_id, i.sku, c.issued_quantity
          FROM discrete_mfg_workorder w
          LEFT JOIN discrete_mfg_workordercomponent c ON c.work_order_id = w.id AND c.issued_quantity > 0
                                                      AND c.item_id = ANY(%s)
          LEFT JOIN catalog_item i ON i.id = c.item_id
         WHERE w.item_id = %s AND w.state = ANY(%s)
         ORDER BY w.number, i.sku
        """,
        [list(touched) or [0], item_id, list(OPEN_WORK_ORDER_STATES)],
    )
    grouped: dict[int, AffectedWorkOrder] = {}
    for wo_id, number, state, open_quantity, component_id, sku, issued in rows:
        order = grouped.setdefault(wo_id, AffectedWorkOrder(wo_id, number, state, Decimal(open_quantity), []))
        if component_id is not None:
            order.issued.append({"item_id": component_id, "sku": sku, "issued": Decimal(issued)})
    return list(grouped.values())


def _used_elsewhere(component_ids: list[int], item_id: int, today: date) -> set[int]:
    """Removed parts that some other released BOM still uses (their stock and orders can be re-purposed)."""
    if not component_ids:
        return set()
    rows = _rows(
        """
        SELECT DISTINCT l.component_id FROM discrete_mfg_bomline l
          JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
         WHERE b.state = 'released' AND b.item_id <> %s AND l.component_id = ANY(%s)
        """,
        [item_id, component_ids],
    )
    return {row[0] for row in rows}


def _purchase_orders(removed: list[int], elsewhere: set[int]) -> list[AffectedPurchase]:
    if not removed:
        return []
    rows = _rows(
        """
        SELECT p.id, p.number, i.id, i.sku, SUM((l.quantity - l.received_quantity) * l.unit_factor),
               SUM((l.quantity - l.received_quantity) * l.unit_price)
          FROM purchasing_purchaseorderline l
          JOIN purchasing_purchaseorder p ON p.id = l.purchase_order_id
          JOIN catalog_item i ON i.id = l.item_id
         WHERE l.item_id = ANY(%s) AND p.state = ANY(%s) AND l.quantity > l.received_quantity
         GROUP BY p.id, p.number, i.id, i.sku ORDER BY p.number, i.sku
        """,
        [removed, list(OPEN_PO_STATES)],
    )
    return [
        AffectedPurchase(po, number, sku, Decimal(q), Decimal(v).quantize(Decimal("0.01")), pk in elsewhere)
        for po, number, pk, sku, q, v in rows
    ]


def _idle_stock(removed: list[int], elsewhere: set[int]) -> list[IdleStock]:
    if not removed:
        return []
    rows = _rows(
        """
        SELECT i.id, i.sku, COALESCE(SUM(s.on_hand), 0), COALESCE(MAX(v.average_cost), 0)
          FROM catalog_item i
          JOIN inventory_stocklevel s ON s.item_id = i.id
          JOIN locations_location loc ON loc.id = s.location_id AND loc.kind = 'internal'
          LEFT JOIN inventory_itemvaluation v ON v.item_id = i.id
         WHERE i.id = ANY(%s) GROUP BY i.id, i.sku HAVING SUM(s.on_hand) > 0 ORDER BY i.sku
        """,
        [removed],
    )
    return [
        IdleStock(pk, sku, Decimal(q), (Decimal(q) * Decimal(cost)).quantize(Decimal("0.01")), pk in elsewhere)
        for pk, sku, q, cost in rows
    ]


def _moved_promises(moved_days: dict[int, int], today: date) -> list[MovedPromise]:
    """Open sales orders of the assemblies whose cumulative lead time changes, with the date that follows."""
    if not moved_days:
        return []
    rows = _rows(
        """
        SELECT DISTINCT o.id, o.number, i.id, i.sku, p.promised_on, o.created_at::date
          FROM sales_salesorderline l
          JOIN sales_salesorder o ON o.id = l.sales_order_id
          JOIN catalog_item i ON i.id = l.item_id
          LEFT JOIN discrete_mfg_salesorderpromise p ON p.sales_order_id = o.id
         WHERE l.item_id = ANY(%s) AND o.state = ANY(%s) AND l.shipped_quantity < l.quantity * l.unit_factor
         ORDER BY o.number, i.sku
        """,
        [list(moved_days), list(OPEN_SO_STATES)],
    )
    result: dict[tuple[int, int], MovedPromise] = defaultdict()
    for so_id, number, item_id, sku, promised, _created in rows:
        days = moved_days[item_id]
        new = max(promised + timedelta(days=days), today) if promised else None
        result[(so_id, item_id)] = MovedPromise(so_id, number, sku, promised, new, days)
    return list(result.values())
