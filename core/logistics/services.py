"""Logistics workflows: transfers shipped through a transit location (在途) and received with discrepancies,
and inbound shipments that give a purchase order's goods a carrier and an ETA."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.access import Actor, actor_label
from core.bulk import update_rows
from core.catalog.models import Item
from core.events.documents import lock_document
from core.events.pipeline import record_document_created, require_state, transition
from core.events.services import record_event
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import close_transit_location, create_transit_location, get_virtual_location
from core.logistics.exceptions import EmptyTransfer, InvalidLocation, InvalidQuantity, UnknownItem, UnknownTransferLine
from core.logistics.models import (
    DiscrepancyReason,
    InboundShipment,
    InboundShipmentState,
    TransferDiscrepancy,
    TransferLine,
    TransferOrder,
)
from core.logistics.models import TransferState as T
from core.purchasing.models import RECEIVABLE_STATES, PurchaseOrder

ZERO = Decimal("0")


@dataclass(frozen=True)
class TransferLineInput:
    item_id: int
    quantity: Decimal  # base units
    lot_id: int | None = None


@dataclass(frozen=True)
class ReceivedLineInput:
    line_id: int
    quantity: Decimal  # base units actually received
    reason: str = ""  # a DiscrepancyReason when the quantity differs from what was shipped
    note: str = ""


@transaction.atomic
def create_transfer(
    *,
    from_location: Location,
    to_location: Location,
    lines: Sequence[TransferLineInput],
    actor: Actor | str,
    notes: str = "",
) -> TransferOrder:
    """A draft transfer between two internal locations; the number is TR + the zero-padded id."""
    if not lines:
        raise EmptyTransfer("A transfer needs at least one line.")
    if from_location.kind != LocationKind.INTERNAL or to_location.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Transfers run between internal locations.")
    if from_location.pk == to_location.pk:
        raise InvalidLocation("A transfer needs two different locations.", field="toLocation")
    known = set(Item.objects.filter(pk__in=[line.item_id for line in lines]).values_list("pk", flat=True))
    for index, line in enumerate(lines):
        if line.item_id not in known:
            raise UnknownItem(f"Line {index + 1}: unknown item {line.item_id}.")
        if line.quantity <= 0:
            raise InvalidQuantity(f"Line {index + 1}: the quantity must be positive.")
    transfer = TransferOrder.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        from_location=from_location,
        to_location=to_location,
        notes=notes,
        created_by=actor_label(actor),
    )
    TransferLine.objects.bulk_create(
        TransferLine(transfer=transfer, item_id=line.item_id, lot_id=line.lot_id, quantity=line.quantity) for line in lines
    )
    transfer.number = f"TR{transfer.pk:06d}"
    transfer.save(update_fields=["number"])
    record_document_created(transfer, actor=actor_label(actor), payload={"number": transfer.number})
    return transfer


@transaction.atomic
def ship_transfer(
    transfer: TransferOrder,
    *,
    actor: Actor | str,
    carrier: str = "",
    tracking_number: str = "",
    eta: datetime | None = None,
) -> TransferOrder:
    """Ship everything requested: from → a new transit location headed for `to_location`, one posting.

    The transit location is the 在途 bucket: inventory position counts its goods at the destination,
    so nobody reorders stock that is already on its way."""
    lock_document(transfer)
    require_state(transfer, T.DRAFT, action="ship")
    transit = create_transit_location(transfer.to_location_id, transfer.number)
    lines = list(transfer.lines.order_by("pk"))
    post_moves(
        [
            MoveLine(
                item_id=line.item_id,
                from_location_id=transfer.from_location_id,
                to_location_id=transit.pk,
                quantity=line.quantity,
                lot_id=line.lot_id,
            )
            for line in lines
        ],
        idempotency_key=f"logistics.transfer:{transfer.pk}:ship",
        document_type="transfer",
        document_id=transfer.pk,
        actor=actor_label(actor),
    )
    TransferLine.objects.filter(transfer=transfer).update(shipped_quantity=F("quantity"))
    TransferOrder.objects.filter(pk=transfer.pk).update(
        transit_location=transit, carrier=carrier, tracking_number=tracking_number, eta=eta, shipped_at=timezone.now()
    )
    transfer.refresh_from_db()
    payload = {"carrier": carrier, "tracking_number": tracking_number, "eta": eta.isoformat() if eta else None}
    return transition(transfer, T.SHIPPED, actor=actor_label(actor), payload=payload)


@transaction.atomic
def receive_transfer(
    transfer: TransferOrder,
    *,
    actor: Actor | str,
    received: Sequence[ReceivedLineInput] | None = None,
) -> TransferOrder:
    """Receive a shipped transfer: transit → to_location for what arrived.

    Lines not listed arrived in full. A line received short books the missing quantity transit →
    inventory_loss; one received over books the surplus inventory_loss → to_location. Either way a
    TransferDiscrepancy records the difference and its reason, so the transit location ends empty."""
    lock_document(transfer)
    require_state(transfer, T.SHIPPED, action="receive")
    lines = {line.pk: line for line in transfer.lines.order_by("pk")}
    counted: Mapping[int, ReceivedLineInput] = {entry.line_id: entry for entry in received or ()}
    for line_id, given in counted.items():
        if line_id not in lines:
            raise UnknownTransferLine(f"Line {line_id} is not on {transfer.number}.")
        if given.quantity < 0:
            raise InvalidQuantity("A received quantity cannot be negative.")
        if given.reason and given.reason not in DiscrepancyReason.values:
            raise InvalidQuantity(f"Unknown discrepancy reason {given.reason}.", field="reason")
    loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
    transit_id = transfer.transit_location_id
    assert transit_id is not None, "shipping a transfer creates its transit location"
    moves: list[MoveLine] = []
    discrepancies: list[TransferDiscrepancy] = []
    received_lines: list[TransferLine] = []
    for line in lines.values():
        shipped = line.shipped_quantity or ZERO
        entry = counted.get(line.pk)
        got = entry.quantity if entry is not None else shipped
        arrived = min(got, shipped)
        if arrived > 0:
            moves.append(_move(line, transit_id, transfer.to_location_id, arrived))
        difference = shipped - got
        if difference > 0:
            moves.append(_move(line, transit_id, loss.pk, difference))
        elif difference < 0:
            moves.append(_move(line, loss.pk, transfer.to_location_id, -difference))
        if difference:
            default_reason = DiscrepancyReason.LOST if difference > 0 else DiscrepancyReason.OVER_SHIPPED
            discrepancies.append(
                TransferDiscrepancy(
                    line=line,
                    shipped_quantity=shipped,
                    received_quantity=got,
                    difference=difference,
                    reason=(entry.reason if entry and entry.reason else default_reason),
                    note=entry.note if entry else "",
                    recorded_by=actor_label(actor),
                )
            )
        line.received_quantity = got
        received_lines.append(line)
    update_rows(received_lines, ["received_quantity"])  # one statement for every line
    if moves:
        post_moves(
            moves,
            idempotency_key=f"logistics.transfer:{transfer.pk}:receive",
            document_type="transfer",
            document_id=transfer.pk,
            actor=actor_label(actor),
        )
    TransferDiscrepancy.objects.bulk_create(discrepancies)
    if transit_id is not None:
        close_transit_location(transit_id)
    TransferOrder.objects.filter(pk=transfer.pk).update(received_at=timezone.now())
    transfer.refresh_from_db()
    payload = {"discrepancies": [{"line": d.line_id, "difference": str(d.difference), "reason": d.reason} for d in discrepancies]}
    return transition(transfer, T.RECEIVED, actor=actor_label(actor), payload=payload)


def _move(line: TransferLine, from_id: int, to_id: int, quantity: Decimal) -> MoveLine:
    return MoveLine(item_id=line.item_id, from_location_id=from_id, to_location_id=to_id, quantity=quantity, lot_id=line.lot_id)


@transaction.atomic
def close_transfer(transfer: TransferOrder, *, actor: Actor | str) -> TransferOrder:
    return transition(transfer, T.CLOSED, actor=actor_label(actor))


@transaction.atomic
def cancel_transfer(transfer: TransferOrder, *, actor: Actor | str, reason: str = "") -> TransferOrder:
    """Only a draft transfer is cancelled: once shipped, the goods are on the road and must be received."""
    return transition(transfer, T.CANCELLED, actor=actor_label(actor), reason=reason)


@transaction.atomic
def mark_purchase_in_transit(
    po: PurchaseOrder,
    *,
    actor: Actor | str,
    carrier: str = "",
    tracking_number: str = "",
    eta: datetime | None = None,
) -> InboundShipment:
    """The supplier shipped (供应商已发货): record carrier, tracking and ETA on the purchase order.

    No stock moves: the goods are still the PO's open quantity, which inventory position already counts."""
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    require_state(po, *RECEIVABLE_STATES, action="record an inbound shipment")
    shipment = InboundShipment.objects.create(
        purchase_order=po, carrier=carrier, tracking_number=tracking_number, eta=eta, created_by=actor_label(actor)
    )
    record_event(
        f"{PurchaseOrder.SUBJECT_TYPE}.in_transit",
        PurchaseOrder.SUBJECT_TYPE,
        po.pk,
        actor=actor_label(actor),
        payload={"carrier": carrier, "tracking_number": tracking_number, "eta": eta.isoformat() if eta else None},
    )
    return shipment


@transaction.atomic
def mark_inbound_arrived(shipment: InboundShipment, *, actor: Actor | str) -> InboundShipment:
    shipment = InboundShipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.state == InboundShipmentState.IN_TRANSIT:
        shipment.state, shipment.arrived_at = InboundShipmentState.ARRIVED, timezone.now()
        shipment.save(update_fields=["state", "arrived_at"])
    return shipment
