"""Sales workflows: create, confirm, allocate (预留) with backorders, pick, ship (出库), deliver, close, cancel, returns.

Every state change goes through core.events.pipeline.transition. Stock is promised through the ledger's
reservations: allocate reserves, ship consumes and posts in one transaction, cancel releases.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.access import Actor, actor_label
from core.bulk import update_rows
from core.catalog.models import Item
from core.catalog.services import unit_factor
from core.events.documents import lock_document
from core.events.pipeline import record_document_created, require_state, set_blocking_reason, transition
from core.events.services import record_event
from core.inventory.exceptions import InsufficientStock
from core.inventory.selectors import available
from core.inventory.services import MoveLine, post_moves, release_reservation, reserve_stock
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location
from core.partners.models import Customer
from core.sales.exceptions import (
    DuplicateReference,
    EmptyOrder,
    InvalidLocation,
    InvalidQuantity,
    NotFullyAllocated,
    UnknownItem,
    UnknownOrderLine,
)
from core.sales.models import (
    Backorder,
    BackorderState,
    CustomerReturn,
    CustomerReturnLine,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from core.sales.models import SalesOrderState as S

ZERO = Decimal("0")
CENT = Decimal("0.01")
AWAITING_STOCK = "awaiting_stock"


@dataclass(frozen=True)
class SalesLineInput:
    item_id: int
    quantity: Decimal
    unit_price: Decimal = ZERO
    unit_id: int | None = None  # None: the item's base unit


@dataclass(frozen=True)
class ReturnLineInput:
    order_line_id: int
    quantity: Decimal  # base units
    lot_code: str = ""


@transaction.atomic
def create_sales_order(
    *,
    customer: Customer,
    source: Location,
    lines: Sequence[SalesLineInput],
    actor: Actor | str,
    shipping_address: str = "",
    shipping_method: str = "",
    tags: Sequence[str] = (),
    currency: str = "CNY",
    notes: str = "",
) -> SalesOrder:
    """A draft sales order; the number is SO + the zero-padded id."""
    if not lines:
        raise EmptyOrder("A sales order needs at least one line.")
    if source.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Goods can only be shipped from an internal location.")
    # Every line is checked before the order row exists: a refused order must not use up a number.
    items = Item.objects.in_bulk([line.item_id for line in lines])
    checked: list[tuple[Item, SalesLineInput, int, Decimal]] = []
    for index, line in enumerate(lines):
        item = items.get(line.item_id)
        if item is None:
            raise UnknownItem(f"Line {index + 1}: unknown item {line.item_id}.")
        if line.quantity <= 0 or line.unit_price < 0:
            raise InvalidQuantity(f"Line {index + 1}: the quantity must be positive and the price not negative.")
        unit_id, factor = unit_factor(item, line.unit_id)
        checked.append((item, line, unit_id, factor))
    order = SalesOrder.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        customer=customer,
        source=source,
        shipping_address=shipping_address,
        shipping_method=shipping_method,
        tags=list(tags),
        currency=currency,
        notes=notes,
        created_by=actor_label(actor),
    )
    rows = [
        SalesOrderLine(
            sales_order=order, item=item, unit_id=unit_id, quantity=line.quantity, unit_factor=factor, unit_price=line.unit_price
        )
        for item, line, unit_id, factor in checked
    ]
    total = sum((line.quantity * line.unit_price for _item, line, _unit, _factor in checked), ZERO)
    SalesOrderLine.objects.bulk_create(rows)
    order.number = f"SO{order.pk:06d}"
    order.total = total.quantize(CENT)
    order.save(update_fields=["number", "total"])
    record_document_created(order, actor=actor_label(actor), payload={"number": order.number, "total": str(order.total)})
    return order


@transaction.atomic
def confirm_sales_order(order: SalesOrder, *, actor: Actor | str) -> SalesOrder:
    return transition(order, S.CONFIRMED, actor=actor_label(actor))


def _reserve_up_to(line: SalesOrderLine, location_id: int, wanted: Decimal, reference: str) -> Decimal:
    """Reserve as much of `wanted` as the location has free; returns what was reserved.

    The free quantity is read without a lock, so a concurrent allocation may take it first: the ledger then
    refuses and we retry once with what is left (inside a savepoint, so the failed try leaves nothing)."""
    for _attempt in range(2):
        free = max(available(line.item_id, location_id), ZERO)
        take = min(wanted, free)
        if take <= 0:
            return ZERO
        try:
            with transaction.atomic():
                reserve_stock(line.item_id, location_id, take, reference=reference, top_up=True)
        except InsufficientStock:
            continue
        return take
    return ZERO


@transaction.atomic
def allocate_sales_order(order: SalesOrder, *, actor: Actor | str) -> SalesOrder:
    """Reserve stock for every line at the source (the ledger picks lots by the item's removal strategy).

    What the source cannot cover becomes a Backorder, and the order waits in `allocated` with the blocking
    reason awaiting_stock. Calling it again on an allocated order tops the reservations up from new stock.
    """
    lock_document(order)
    require_state(order, S.CONFIRMED, S.ALLOCATED, action="allocate")
    if order.state == S.CONFIRMED:
        transition(order, S.ALLOCATED, actor=actor_label(actor))
    short: dict[str, str] = {}
    for line in order.lines.select_for_update().order_by("pk"):
        wanted = line.base_quantity - line.allocated_quantity - line.shipped_quantity
        if wanted > 0:
            taken = _reserve_up_to(line, order.source_id, wanted, order.reservation_reference)
            if taken > 0:
                line.allocated_quantity += taken
                line.save(update_fields=["allocated_quantity"])
            wanted -= taken
        _update_backorder(line, order.source_id, wanted)
        if wanted > 0:
            short[str(line.item_id)] = str(wanted)
    set_blocking_reason(order, AWAITING_STOCK if short else "", actor=actor_label(actor), payload={"short": short})
    return order


def _update_backorder(line: SalesOrderLine, location_id: int, missing: Decimal) -> None:
    backorder = Backorder.objects.filter(line=line).first()
    if missing > 0:
        if backorder is None:
            Backorder.objects.create(line=line, item_id=line.item_id, location_id=location_id, quantity=missing)
        else:
            backorder.quantity, backorder.state = missing, BackorderState.OPEN
            backorder.save(update_fields=["quantity", "state", "updated_at"])
    elif backorder is not None and backorder.state == BackorderState.OPEN:
        backorder.quantity, backorder.state = ZERO, BackorderState.FULFILLED
        backorder.save(update_fields=["quantity", "state", "updated_at"])


@transaction.atomic
def pick_sales_order(order: SalesOrder, *, actor: Actor | str, partial: bool = False) -> SalesOrder:
    """Start picking. A backordered order waits for stock, unless `partial`: then what is allocated is
    picked and shipped now, and the order comes back to `allocated` for the rest (部分发货)."""
    open_backorders = Backorder.objects.filter(line__sales_order=order, state=BackorderState.OPEN).count()
    if open_backorders and not partial:
        raise NotFullyAllocated(
            f"{order.number} still has {open_backorders} backordered line(s); allocate again when stock arrives."
        )
    if partial and not order.lines.filter(allocated_quantity__gt=0).exists():
        raise NotFullyAllocated(f"{order.number} has no stock allocated yet; nothing can be shipped.")
    return transition(order, S.PICKING, actor=actor_label(actor), payload={"partial": bool(open_backorders)})


@transaction.atomic
def ship_sales_order(order: SalesOrder, *, actor: Actor | str, carrier: str = "", tracking_number: str = "") -> Shipment:
    """Post the shipment: source → customer location, consuming the order's reservations in the same
    ledger transaction (the stock leaving is the stock promised, so it never counts as reserved after).

    A partial shipment (lines still backordered) ships what is allocated and sends the order back to
    `allocated` to wait for the rest; the next shipment gets the next posting key. A retried ship (the
    order no longer picking) finds the latest shipment instead of shipping twice."""
    lock_document(order)
    shipments_so_far = Shipment.objects.filter(sales_order=order).count()
    if order.state != S.PICKING and shipments_so_far:
        return Shipment.objects.filter(sales_order=order).order_by("-pk").first()  # type: ignore[return-value]
    # the first shipment keeps the key orders always had; later ones (after a backorder) are numbered
    posting_key = f"sales.shipment:{order.pk}" + (f":{shipments_so_far + 1}" if shipments_so_far else "")
    require_state(order, S.PICKING, action="ship")
    lines = list(order.lines.select_for_update().order_by("pk"))
    customer_location = get_virtual_location(LocationKind.CUSTOMER)
    shipment = Shipment.objects.create(
        sales_order=order,
        posting_key=posting_key,
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_by=actor_label(actor),
    )
    moves = [
        MoveLine(
            item_id=line.item_id,
            from_location_id=order.source_id,
            to_location_id=customer_location.pk,
            quantity=line.allocated_quantity,
        )
        for line in lines
        if line.allocated_quantity > 0
    ]
    post_moves(
        moves,
        idempotency_key=posting_key,
        document_type="shipment",
        document_id=shipment.pk,
        actor=actor_label(actor),
        consume_reference=order.reservation_reference,
    )
    shipped: dict[str, str] = {}
    for line in lines:
        if line.allocated_quantity > 0:
            shipped[str(line.pk)] = str(line.allocated_quantity)
        line.shipped_quantity += line.allocated_quantity
        line.allocated_quantity = ZERO
    update_rows(lines, ["shipped_quantity", "allocated_quantity"])  # one statement for every line
    payload = {"carrier": carrier, "tracking_number": tracking_number, "shipment": shipment.pk, "lines": shipped}
    if any(line.shipped_quantity < line.base_quantity for line in lines):
        transition(order, S.ALLOCATED, actor=actor_label(actor), reason="partially_shipped", payload=payload)
        set_blocking_reason(order, AWAITING_STOCK, actor=actor_label(actor))
    else:
        transition(order, S.SHIPPED, actor=actor_label(actor), payload=payload)
    return shipment


@transaction.atomic
def deliver_sales_order(order: SalesOrder, *, actor: Actor | str) -> SalesOrder:
    return transition(order, S.DELIVERED, actor=actor_label(actor))


@transaction.atomic
def close_sales_order(order: SalesOrder, *, actor: Actor | str) -> SalesOrder:
    return transition(order, S.CLOSED, actor=actor_label(actor))


@transaction.atomic
def cancel_sales_order(order: SalesOrder, *, actor: Actor | str, reason: str = "") -> SalesOrder:
    """Cancel and give back everything held for the order: reservations released, backorders cancelled."""
    transition(order, S.CANCELLED, actor=actor_label(actor), reason=reason)
    lines = SalesOrderLine.objects.filter(sales_order=order)
    if lines.filter(allocated_quantity__gt=0).exists():
        release_reservation(order.reservation_reference)
        lines.update(allocated_quantity=ZERO)
    Backorder.objects.filter(line__sales_order=order, state=BackorderState.OPEN).update(
        state=BackorderState.CANCELLED, updated_at=timezone.now()
    )
    return order


@transaction.atomic
def return_from_customer(
    order: SalesOrder,
    lines: Sequence[ReturnLineInput],
    *,
    actor: Actor | str,
    reference: str,
    destination: Location | None = None,
    reason: str = "",
) -> CustomerReturn:
    """Take goods back: customer location → `destination` (the order's source by default). Idempotent by reference."""
    existing = CustomerReturn.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.sales_order_id != order.pk:
            raise DuplicateReference(f"Return {reference} belongs to another sales order.")
        return existing
    require_state(order, S.SHIPPED, S.DELIVERED, S.CLOSED, action="take a return")
    if not lines:
        raise EmptyOrder("A return needs at least one line.")
    order_lines = {line.pk: line for line in order.lines.all()}
    for entry in lines:
        line = order_lines.get(entry.order_line_id)
        if line is None:
            raise UnknownOrderLine(f"Line {entry.order_line_id} is not on {order.number}.")
        if entry.quantity <= 0 or entry.quantity > line.shipped_quantity:
            raise InvalidQuantity(f"Line {line.pk}: a return must be positive and at most the {line.shipped_quantity} shipped.")
    target = destination or order.source
    if target.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Returns go back into an internal location.", field="destination")
    posting_key = f"sales.return:{reference}"
    customer_return = CustomerReturn.objects.create(
        reference=reference,
        sales_order=order,
        destination=target,
        reason=reason,
        received_by=actor_label(actor),
        posting_key=posting_key,
    )
    CustomerReturnLine.objects.bulk_create(
        CustomerReturnLine(
            customer_return=customer_return, order_line_id=e.order_line_id, quantity=e.quantity, lot_code=e.lot_code
        )
        for e in lines
    )
    customer_location = get_virtual_location(LocationKind.CUSTOMER)
    post_moves(
        [
            MoveLine(
                item_id=order_lines[e.order_line_id].item_id,
                from_location_id=customer_location.pk,
                to_location_id=target.pk,
                quantity=e.quantity,
                lot_code=e.lot_code or None,
            )
            for e in lines
        ],
        idempotency_key=posting_key,
        document_type="customer_return",
        document_id=customer_return.pk,
        actor=actor_label(actor),
    )
    record_event(
        f"{SalesOrder.SUBJECT_TYPE}.returned",
        SalesOrder.SUBJECT_TYPE,
        order.pk,
        actor=actor_label(actor),
        payload={"reference": reference, "reason": reason},
    )
    return customer_return
