"""Ledger state changes: post moves (atomic, idempotent, locked in one order), reverse, reserve.

Every change of stock goes through `post_moves`. A document (receipt, shipment, transfer, count) builds
`MoveLine`s and posts them under an idempotency key of its own, e.g. f"po:{po.pk}:receipt:{receipt.pk}".
Shipping against reservations: `post_moves(lines, ..., consume_reference="so:42")` consumes the reference's
active reservations and posts the moves in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.catalog.models import Item
from core.events.services import schedule_outbox_drain
from core.input_limits import MAX_QUANTITY
from core.inventory import ledger
from core.inventory.exceptions import IdempotencyKeyReused, InsufficientStock, InvalidQuantity, LotOnHold, UnknownPosting
from core.inventory.holds import held_lots
from core.inventory.locking import lock_levels, write_levels
from core.inventory.models import Posting, Reservation, ReservationState, StockLevel, StockMove
from core.inventory.removal import removal_order

QUANTITY_PLACES = Decimal("0.0001")


@dataclass
class MoveLine:
    """One line of a posting, quantity in the item's base unit (see catalog.services.to_base_quantity).

    Lot-tracked items: give `lot_id`, or `lot_code` (+ `expiry_date`) to receive a new lot; an outbound line
    without a lot is split across lots by the item's removal strategy. `unit_cost` values a receipt (and
    overrides the average on an issue, e.g. a return to the supplier at the purchase price)."""

    item_id: int
    from_location_id: int
    to_location_id: int
    quantity: Decimal
    lot_id: int | None = None
    lot_code: str | None = None
    expiry_date: date | None = None
    unit_cost: Decimal | None = None
    value: Decimal | None = None  # exact value to carry, used by reversals


def post_moves(
    lines: Iterable[MoveLine],
    *,
    idempotency_key: str,
    document_type: str = "",
    document_id: int | None = None,
    actor: str = "system",
    occurred_at: datetime | None = None,
    allow_negative: bool | None = None,
    consume_reference: str | None = None,
    reason: str = "",
    reverses: Posting | None = None,
) -> Posting:
    """Post stock moves atomically. Posting the same `idempotency_key` again returns the first Posting and
    writes nothing, also when two processes race (the UNIQUE key decides, not a prior SELECT).

    Raises InsufficientStock when on hand would go negative or below reserved at a stock-holding location
    (unless negative stock is allowed), LotRequired / UnknownLot / InvalidMove / InvalidQuantity otherwise."""
    lines = list(lines)
    if not lines:
        raise InvalidQuantity("A posting needs at least one line.", field="lines")
    for index, line in enumerate(lines):
        line.quantity = _clean_quantity(line.quantity, index)
    if allow_negative is None:
        allow_negative = bool(getattr(getattr(connection, "tenant", None), "allow_negative_stock", False))
    fingerprint = posting_fingerprint(
        lines,
        document_type=document_type,
        document_id=document_id,
        consume_reference=consume_reference,
        reverses_id=reverses.pk if reverses else None,
    )
    posted_at = timezone.now()
    occurred_at = occurred_at or posted_at
    with transaction.atomic():
        prepared = ledger.prepare_posting(
            idempotency_key,
            fingerprint=fingerprint,
            document_type=document_type,
            document_id=document_id,
            actor=actor,
            reason=reason,
            occurred_at=occurred_at,
            posted_at=posted_at,
            reverses_id=reverses.pk if reverses else None,
            consume_reference=consume_reference,
            lines=lines,
        )
        if isinstance(prepared, ledger.Claimed):
            # Postings made before fingerprints existed carry none: the key alone decides, as it did then.
            if prepared.fingerprint and prepared.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    _("The idempotency key %(key)s was already used for a different posting.") % {"key": idempotency_key},
                    field="idempotencyKey",
                )
            return Posting.objects.get(pk=prepared.posting_id)
        posting = Posting(
            pk=prepared.posting_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            document_type=document_type,
            document_id=document_id,
            actor=actor[:200],
            reason=reason,
            occurred_at=occurred_at,
            posted_at=posted_at,
            reverses_id=reverses.pk if reverses else None,
        )
        posting._state.adding = False
        posting.move_count = ledger.PostingRun(posting, lines, prepared, allow_negative=allow_negative).run()  # type: ignore[attr-defined]
        # The event and its outbox row were written with the moves; the drain runs after commit.
        schedule_outbox_drain()
    return posting


def posting_fingerprint(
    lines: list[MoveLine],
    *,
    document_type: str,
    document_id: int | None,
    consume_reference: str | None,
    reverses_id: int | None,
) -> str:
    """What a posting asks for, hashed: lines in order, the document, the reference it consumes, what it reverses.

    Who posts and when are left out, so a retry from another worker or a minute later is still the same request."""
    canonical = [
        document_type,
        document_id,
        consume_reference,
        reverses_id,
        [
            [
                line.item_id,
                line.from_location_id,
                line.to_location_id,
                str(line.quantity),
                line.lot_id,
                line.lot_code or None,
                line.expiry_date.isoformat() if line.expiry_date else None,
                None if line.unit_cost is None else str(Decimal(str(line.unit_cost)).normalize()),
                None if line.value is None else str(Decimal(str(line.value)).normalize()),
            ]
            for line in lines
        ],
    ]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def _clean_quantity(quantity: Decimal | int | str, index: int) -> Decimal:
    try:
        value = Decimal(str(quantity))
    except InvalidOperation as error:
        raise InvalidQuantity("Not a number.", field=f"lines.{index}.quantity") from error
    if not value.is_finite() or value <= 0:
        raise InvalidQuantity("The quantity must be positive.", field=f"lines.{index}.quantity")
    if value > MAX_QUANTITY:
        raise InvalidQuantity(f"At most {MAX_QUANTITY:,.0f} units in one line.", field=f"lines.{index}.quantity")
    if value != value.quantize(QUANTITY_PLACES):
        raise InvalidQuantity("At most 4 decimal places.", field=f"lines.{index}.quantity")
    return value.quantize(QUANTITY_PLACES)


def reverse_posting(idempotency_key: str, *, actor: str, reason: str) -> Posting:
    """Post the mirror image of a posting (every move with from/to swapped, same lot, same value).

    Idempotent under the key f"reverse:{key}"; the original stays untouched in the ledger."""
    original = Posting.objects.filter(idempotency_key=idempotency_key).first()
    if original is None:
        raise UnknownPosting(f"No posting with key {idempotency_key}.", field="idempotencyKey")
    moves = list(StockMove.objects.filter(posting=original).order_by("pk"))
    lines = [
        MoveLine(
            item_id=move.item_id,
            from_location_id=move.to_location_id,
            to_location_id=move.from_location_id,
            quantity=move.quantity,
            lot_id=move.lot_id,
            unit_cost=move.unit_cost,
            value=move.value,
        )
        for move in moves
    ]
    return post_moves(
        lines,
        idempotency_key=f"reverse:{idempotency_key}",
        document_type=original.document_type,
        document_id=original.document_id,
        actor=actor,
        reason=reason,
        reverses=original,
        # The tenant's negative-stock setting applies as for any posting: taking back a receipt whose goods
        # have already left is refused unless the tenant allows negative stock.
        allow_negative=None,
    )


def reserve_stock(
    item_id: int,
    location_id: int,
    quantity: Decimal,
    *,
    reference: str,
    lot_id: int | None = None,
    top_up: bool = False,
) -> list[Reservation]:
    """Reserve available stock (on hand − reserved) for `reference`; lot-tracked items are split across
    lots by the removal strategy. Raises InsufficientStock when not enough is available.

    A reference that already holds active reservations of this item here gets them back and nothing more
    (a retried request must not reserve twice); `top_up=True` adds to them instead (an order allocated again
    after new stock arrived)."""
    quantity = _clean_quantity(quantity, 0)
    with transaction.atomic():
        item = Item.objects.get(pk=item_id)
        levels = lock_levels([(item_id, location_id)])
        if not top_up:
            # Read under the level lock, so two concurrent retries cannot both find nothing.
            existing = list(
                Reservation.objects.filter(
                    reference=reference, item_id=item_id, location_id=location_id, state=ReservationState.ACTIVE
                )
            )
            if existing:
                return existing
        # Held lots (recall quarantine, quality deviation) are never promised: the ship would refuse them.
        held = held_lots(key[2] for key in levels if key[2] is not None) if item.lot_tracked else set()
        if lot_id is not None and lot_id in held:
            raise LotOnHold(f"Lot {lot_id} of item {item.sku} is on hold and cannot be reserved.", field="lotId")
        if lot_id is not None:
            candidates = [level for key, level in levels.items() if key[2] == lot_id]
        elif item.lot_tracked:
            free_lots = [level for key, level in levels.items() if key[2] is not None and key[2] not in held]
            candidates = removal_order(item, free_lots)
        else:
            candidates = [level for key, level in levels.items() if key[2] is None]
        available = sum((max(level.available, Decimal(0)) for level in candidates), Decimal(0))
        if available < quantity:
            raise InsufficientStock(
                f"Only {available} of item {item.sku} available at location {location_id}; {quantity} requested.",
                field="quantity",
            )
        reservations: list[Reservation] = []
        changed: list[StockLevel] = []
        remaining = quantity
        for level in candidates:
            take = min(remaining, max(level.available, Decimal(0)))
            if take <= 0:
                continue
            level.reserved += take
            changed.append(level)
            remaining -= take
            reservations.append(
                Reservation(item_id=item_id, location_id=location_id, lot_id=level.lot_id, quantity=take, reference=reference)
            )
            if remaining == 0:
                break
        write_levels(changed)
        return Reservation.objects.bulk_create(reservations)


def release_reservation(reference: str) -> list[Reservation]:
    """Give back the stock held for `reference` (an order cancelled or changed). Idempotent."""
    return _close_reservations(reference, ReservationState.RELEASED)


def consume_reservation(reference: str) -> list[Reservation]:
    """Turn `reference`'s reservations consumed without moving stock. Shipping should rather pass
    `consume_reference` to post_moves, which does both in one transaction."""
    return _close_reservations(reference, ReservationState.CONSUMED)


def _close_reservations(reference: str, state: str) -> list[Reservation]:
    with transaction.atomic():
        reservations = ledger.lock_active_reservations(reference)
        if not reservations:
            return []  # already settled (or never made): a retry is a no-op
        levels = lock_levels({(r.item_id, r.location_id) for r in reservations})
        changed: dict[tuple[int, int, int | None], StockLevel] = {}
        for reservation in reservations:
            key = (reservation.item_id, reservation.location_id, reservation.lot_id)
            level = levels[key]
            level.reserved = max(level.reserved - reservation.quantity, Decimal(0))
            changed[key] = level
            reservation.state = state
        write_levels(changed.values())
        Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(state=state, updated_at=timezone.now())
        return reservations
