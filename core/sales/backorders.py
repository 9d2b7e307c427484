"""Backorders (缺货待补) filled as stock arrives: after a receipt, waiting sales orders are topped up from the
new stock in priority order, and each order's timeline says so.

Runs as an outbox consumer (core.events.webhooks), after the receipt has committed: the receipt's own
transaction stays short, and a failed re-allocation is retried by the next drain. Idempotent: an order
that is already fully allocated, or finds no free stock, is left alone and records nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from core.events.services import record_event
from core.inventory.selectors import available
from core.partners.models import CustomerTier
from core.sales.models import HOLDING_STATES, Backorder, BackorderState, SalesOrder
from core.sales.models import SalesOrderState as S

REALLOCATED_EVENT = f"{SalesOrder.SUBJECT_TYPE}.reallocated"
# Events after which stock may be free where it was not: goods received, a transfer arriving, a count that
# found stock, a customer return, a cancelled order giving its reservations back.
STOCK_ARRIVED_EVENTS = frozenset(
    {
        "purchase_order.goods_received",
        "transfer.received",
        "cycle_count.completed",
        "sales_order.returned",
        "sales_order.cancelled",
    }
)
# Who is served first when stock is short: key accounts, then VIP, wholesale, standard; older orders first.
TIER_PRIORITY = {CustomerTier.KEY_ACCOUNT: 0, CustomerTier.VIP: 1, CustomerTier.WHOLESALE: 2, CustomerTier.STANDARD: 3}


def waiting_orders() -> list[SalesOrder]:
    """Allocated orders with an open backorder whose item now has free stock at the order's source, by priority."""
    candidates = {
        (b["item_id"], b["location_id"])
        for b in Backorder.objects.filter(state=BackorderState.OPEN, line__sales_order__state=S.ALLOCATED).values(
            "item_id", "location_id"
        )
    }
    free_pairs = {pair for pair in candidates if available(*pair) > 0}
    if not free_pairs:
        return []
    order_ids = {
        b["line__sales_order_id"]
        for b in Backorder.objects.filter(state=BackorderState.OPEN).values("line__sales_order_id", "item_id", "location_id")
        if (b["item_id"], b["location_id"]) in free_pairs
    }
    tier_rank = Case(
        *[When(customer__tier=tier, then=Value(rank)) for tier, rank in TIER_PRIORITY.items()],
        default=Value(len(TIER_PRIORITY)),
        output_field=IntegerField(),
    )
    return list(
        SalesOrder.objects.filter(pk__in=order_ids, state__in=HOLDING_STATES)
        .annotate(priority=tier_rank)
        .order_by("priority", "created_at", "pk")
    )


def reallocate_waiting_orders(*, cause: dict[str, Any], actor: str = "system") -> list[SalesOrder]:
    """Top up every waiting order in priority order; returns the orders that got more stock.

    One transaction per order, so one order's refusal does not undo the others' allocations."""
    from core.sales.services import allocate_sales_order

    served = []
    for order in waiting_orders():
        with transaction.atomic():
            before = _allocated_by_line(order)
            allocate_sales_order(order, actor=actor)
            after = _allocated_by_line(order)
            added = {str(line): str(after[line] - before.get(line, 0)) for line in after if after[line] > before.get(line, 0)}
            if added:
                still_short = Backorder.objects.filter(line__sales_order=order, state=BackorderState.OPEN).exists()
                record_event(
                    REALLOCATED_EVENT,
                    SalesOrder.SUBJECT_TYPE,
                    order.pk,
                    actor=actor,
                    payload={"lines": added, "cause": cause, "fully_allocated": not still_short},
                    from_state=order.state,
                    to_state=order.state,
                )
                served.append(order)
    return served


def _allocated_by_line(order: SalesOrder) -> dict[int, Any]:
    return dict(order.lines.values_list("pk", "allocated_quantity"))


def reallocate_after_receipt(event: Any) -> None:
    """Outbox consumer: after an event that may have freed stock, serve the waiting orders."""
    if event.event_type not in STOCK_ARRIVED_EVENTS:
        return
    reallocate_waiting_orders(
        cause={"event": event.event_type, "subject_type": event.subject_type, "subject_id": event.subject_id}
    )
