"""Purchasing workflows: create, submit/approve/send, receive (收货入库), close, cancel and return to supplier.

Every state change goes through core.events.pipeline.transition, so each one leaves a DomainEvent and the
order timeline shows where a purchase order waits (awaiting_approval, awaiting_supplier).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.access import Actor, actor_label
from core.bulk import update_rows
from core.catalog.models import Item
from core.catalog.services import unit_factor
from core.events.documents import lock_document
from core.events.pipeline import record_document_created, require_state, transition
from core.events.services import record_event
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location
from core.partners.models import Supplier
from core.partners.services import record_lead_time
from core.purchasing.exceptions import (
    ApprovalNotAllowed,
    DuplicateReference,
    EmptyOrder,
    ExpiryRequired,
    InvalidLocation,
    InvalidQuantity,
    LotRequired,
    OverReceipt,
    UnknownOrderLine,
)
from core.purchasing.models import (
    RECEIVABLE_STATES,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasingSettings,
    SupplierReturn,
    SupplierReturnLine,
)
from core.purchasing.models import PurchaseOrderState as S
from tenants.accounts.roles import Permission

ZERO = Decimal("0")
CENT = Decimal("0.01")
SYSTEM = "system"


@dataclass(frozen=True)
class OrderLineInput:
    item_id: int
    quantity: Decimal
    unit_price: Decimal = ZERO
    unit_id: int | None = None  # None: the item's base unit


@dataclass(frozen=True)
class ReceiptLineInput:
    order_line_id: int
    quantity: Decimal  # in the order line's unit
    lot_code: str = ""
    expiry_date: date | None = None


@dataclass(frozen=True)
class ReturnLineInput:
    item_id: int
    quantity: Decimal  # base units
    lot_code: str = ""


def purchasing_settings() -> PurchasingSettings:
    settings, _ = PurchasingSettings.objects.get_or_create(pk=1)
    return settings


@transaction.atomic
def update_purchasing_settings(
    *, approval_threshold: Decimal | None = None, over_receipt_tolerance_percent: Decimal | None = None
) -> PurchasingSettings:
    settings = purchasing_settings()
    if approval_threshold is not None:
        settings.approval_threshold = approval_threshold
    if over_receipt_tolerance_percent is not None:
        if over_receipt_tolerance_percent < 0:
            raise InvalidQuantity("The over-receipt tolerance cannot be negative.", field="overReceiptTolerancePercent")
        settings.over_receipt_tolerance_percent = over_receipt_tolerance_percent
    settings.save()
    return settings


@transaction.atomic
def create_purchase_order(
    *,
    supplier: Supplier,
    destination: Location,
    lines: Sequence[OrderLineInput],
    actor: Actor | str,
    currency: str = "CNY",
    expected_date: date | None = None,
    urgent: bool = False,
    notes: str = "",
) -> PurchaseOrder:
    """A draft purchase order; the number is PO + the zero-padded id."""
    if not lines:
        raise EmptyOrder("A purchase order needs at least one line.")
    if destination.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Goods can only be received into an internal location.")
    items = Item.objects.in_bulk([line.item_id for line in lines])
    po = PurchaseOrder.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        supplier=supplier,
        destination=destination,
        currency=currency,
        expected_date=expected_date,
        urgent=urgent,
        notes=notes,
        created_by=actor_label(actor),
    )
    total = ZERO
    rows = []
    for index, line in enumerate(lines):
        item = items.get(line.item_id)
        if item is None:
            raise UnknownOrderLine(f"Line {index + 1}: unknown item {line.item_id}.")
        if line.quantity <= 0 or line.unit_price < 0:
            raise InvalidQuantity(f"Line {index + 1}: the quantity must be positive and the price not negative.")
        unit_id, factor = unit_factor(item, line.unit_id)
        rows.append(
            PurchaseOrderLine(
                purchase_order=po,
                item=item,
                unit_id=unit_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_factor=factor,
            )
        )
        total += line.quantity * line.unit_price
    PurchaseOrderLine.objects.bulk_create(rows)
    po.number = f"PO{po.pk:06d}"
    po.total = total.quantize(CENT)
    po.save(update_fields=["number", "total"])
    record_document_created(po, actor=actor_label(actor), payload={"number": po.number, "total": str(po.total)})
    return po


@transaction.atomic
def submit_purchase_order(po: PurchaseOrder, *, actor: Actor | str) -> PurchaseOrder:
    """Submit for approval. Below the tenant's threshold the order is approved at once by the system;
    at or above it, it waits in `submitted` (awaiting_approval) for a manager."""
    transition(po, S.SUBMITTED, actor=actor_label(actor))
    threshold = purchasing_settings().approval_threshold
    if po.total < threshold:
        transition(po, S.APPROVED, actor=SYSTEM, reason="auto_approved_below_threshold", payload={"threshold": str(threshold)})
    return po


@transaction.atomic
def approve_purchase_order(po: PurchaseOrder, *, actor: Actor | str) -> PurchaseOrder:
    """A manager approves a submitted order. A plain string actor is trusted server code (the rules engine)."""
    if isinstance(actor, Actor) and not actor.can(Permission.MANAGE):
        raise ApprovalNotAllowed("Only a manager may approve a purchase order.")
    return transition(po, S.APPROVED, actor=actor_label(actor))


@transaction.atomic
def send_purchase_order(po: PurchaseOrder, *, actor: Actor | str, sent_at: datetime | None = None) -> PurchaseOrder:
    """The order goes to the supplier: the supplier's lead time starts now."""
    transition(po, S.SENT, actor=actor_label(actor))
    po.sent_at = sent_at or po.state_changed_at
    PurchaseOrder.objects.filter(pk=po.pk).update(sent_at=po.sent_at)
    return po


@transaction.atomic
def cancel_purchase_order(po: PurchaseOrder, *, actor: Actor | str, reason: str = "") -> PurchaseOrder:
    return transition(po, S.CANCELLED, actor=actor_label(actor), reason=reason)


@transaction.atomic
def close_purchase_order(po: PurchaseOrder, *, actor: Actor | str, reason: str = "") -> PurchaseOrder:
    """Close a received order, or short-close a partly received one: what is still open stops counting
    in inventory position."""
    return transition(po, S.CLOSED, actor=actor_label(actor), reason=reason)


def _check_receipt_line(line: PurchaseOrderLine, item: Item, entry: ReceiptLineInput) -> None:
    if entry.quantity <= 0:
        raise InvalidQuantity(f"Received quantity for {item.sku} must be positive.")
    if item.lot_tracked and not entry.lot_code.strip():
        raise LotRequired(f"{item.sku} is lot-tracked: enter the lot code.")
    if item.shelf_life_days and entry.expiry_date is None:
        raise ExpiryRequired(f"{item.sku} is perishable: enter the expiry date.")


@transaction.atomic
def receive_purchase_order(
    po: PurchaseOrder,
    lines: Sequence[ReceiptLineInput],
    *,
    actor: Actor | str,
    reference: str,
    received_at: datetime | None = None,
) -> GoodsReceipt:
    """Post a goods receipt: supplier location → the order's destination, in one ledger posting.

    `reference` identifies the receipt (scanner session, delivery note); submitting it again returns the
    first receipt and posts nothing. The PO row lock serialises two clerks receiving the same order.
    """
    lock_document(po)
    existing = GoodsReceipt.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.purchase_order_id != po.pk:
            raise DuplicateReference(f"Receipt {reference} belongs to another purchase order.")
        return existing
    require_state(po, *RECEIVABLE_STATES, action="receive")
    if not lines:
        raise EmptyOrder("A receipt needs at least one line.")
    order_lines = {line.pk: line for line in po.lines.select_related("item").order_by("pk")}
    tolerance = purchasing_settings().over_receipt_tolerance_percent
    incoming: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry in lines:
        line = order_lines.get(entry.order_line_id)
        if line is None:
            raise UnknownOrderLine(f"Line {entry.order_line_id} is not on {po.number}.")
        _check_receipt_line(line, line.item, entry)
        incoming[line.pk] += entry.quantity
    for line_id, quantity in incoming.items():
        line = order_lines[line_id]
        limit = line.quantity * (1 + tolerance / 100)
        if line.received_quantity + quantity > limit:
            raise OverReceipt(
                f"{line.item.sku}: receiving {quantity} would bring the total to {line.received_quantity + quantity}, "
                f"above the {line.quantity} ordered plus {tolerance}% tolerance."
            )

    when = received_at or timezone.now()
    posting_key = f"purchasing.receipt:{reference}"
    receipt = GoodsReceipt.objects.create(
        purchase_order=po, reference=reference, received_at=when, received_by=actor_label(actor), posting_key=posting_key
    )
    GoodsReceiptLine.objects.bulk_create(
        GoodsReceiptLine(
            receipt=receipt,
            order_line_id=entry.order_line_id,
            quantity=entry.quantity,
            lot_code=entry.lot_code.strip(),
            expiry_date=entry.expiry_date,
        )
        for entry in lines
    )
    supplier_location = get_virtual_location(LocationKind.SUPPLIER)
    moves = []
    for entry in lines:
        line = order_lines[entry.order_line_id]
        moves.append(
            MoveLine(
                item_id=line.item_id,
                from_location_id=supplier_location.pk,
                to_location_id=po.destination_id,
                quantity=entry.quantity * line.unit_factor,
                lot_code=entry.lot_code.strip() or None,
                expiry_date=entry.expiry_date,
                unit_cost=line.unit_price / line.unit_factor,
            )
        )
    post_moves(
        moves,
        idempotency_key=posting_key,
        document_type="goods_receipt",
        document_id=receipt.pk,
        actor=actor_label(actor),
        occurred_at=when,
    )
    received = []
    for line_id, quantity in incoming.items():
        line = order_lines[line_id]
        line.received_quantity += quantity
        received.append(line)
    update_rows(received, ["received_quantity"])  # one statement for every line (the order is locked)

    # The first delivery ends the supplier's lead time for this order; later ones are back-orders.
    if po.sent_at is not None and not po.receipts.exclude(pk=receipt.pk).exists():
        days = (Decimal(str((when - po.sent_at).total_seconds())) / Decimal("86400")).quantize(CENT)
        days = max(days, ZERO)
        record_lead_time(po.supplier_id, days)
        receipt.lead_time_days = days
        receipt.save(update_fields=["lead_time_days"])

    record_event(
        f"{PurchaseOrder.SUBJECT_TYPE}.goods_received",
        PurchaseOrder.SUBJECT_TYPE,
        po.pk,
        actor=actor_label(actor),
        payload={"reference": reference, "lines": {str(k): str(v) for k, v in incoming.items()}},
        occurred_at=when,
    )
    fully_received = all(line.received_quantity >= line.quantity for line in order_lines.values())
    target = S.RECEIVED if fully_received else S.PARTIALLY_RECEIVED
    if po.state != target:
        transition(po, target, actor=actor_label(actor), payload={"reference": reference})
    return receipt


@transaction.atomic
def return_to_supplier(
    *,
    supplier: Supplier,
    source: Location,
    lines: Sequence[ReturnLineInput],
    actor: Actor | str,
    reference: str,
    purchase_order: PurchaseOrder | None = None,
    reason: str = "",
) -> SupplierReturn:
    """Send goods back (采购退货): source → the supplier location. Idempotent by `reference`."""
    existing = SupplierReturn.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if not lines:
        raise EmptyOrder("A return needs at least one line.")
    if source.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Goods can only be returned from an internal location.", field="source")
    if any(line.quantity <= 0 for line in lines):
        raise InvalidQuantity("Returned quantities must be positive.")
    posting_key = f"purchasing.return:{reference}"
    supplier_return = SupplierReturn.objects.create(
        reference=reference,
        supplier=supplier,
        purchase_order=purchase_order,
        source=source,
        reason=reason,
        returned_by=actor_label(actor),
        posting_key=posting_key,
    )
    SupplierReturnLine.objects.bulk_create(
        SupplierReturnLine(supplier_return=supplier_return, item_id=line.item_id, quantity=line.quantity, lot_code=line.lot_code)
        for line in lines
    )
    supplier_location = get_virtual_location(LocationKind.SUPPLIER)
    post_moves(
        [
            MoveLine(
                item_id=line.item_id,
                from_location_id=source.pk,
                to_location_id=supplier_location.pk,
                quantity=line.quantity,
                lot_code=line.lot_code or None,
            )
            for line in lines
        ],
        idempotency_key=posting_key,
        document_type="supplier_return",
        document_id=supplier_return.pk,
        actor=actor_label(actor),
    )
    if purchase_order is not None:
        record_event(
            f"{PurchaseOrder.SUBJECT_TYPE}.returned_to_supplier",
            PurchaseOrder.SUBJECT_TYPE,
            purchase_order.pk,
            actor=actor_label(actor),
            payload={"reference": reference, "reason": reason},
        )
    return supplier_return
