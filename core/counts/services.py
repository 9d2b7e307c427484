"""Cycle count workflows (盘点): create, start (freeze the book quantities), record counts, complete (post adjustments)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.access import Actor, actor_label
from core.bulk import update_rows
from core.catalog.models import Item
from core.counts.exceptions import InvalidLocation, InvalidQuantity, InvalidReason, UncountedLines, UnknownItem
from core.counts.models import AdjustmentReason, CycleCount, CycleCountLine
from core.counts.models import CycleCountState as C
from core.events.pipeline import record_document_created, require_state, transition
from core.inventory.models import StockLevel
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location

ZERO = Decimal("0")
# A shortage is damage, expiry or loss; a surplus can only be found stock.
SHORTAGE_REASONS = (AdjustmentReason.DAMAGE, AdjustmentReason.EXPIRY, AdjustmentReason.LOSS)


@transaction.atomic
def create_cycle_count(
    *, location: Location, actor: Actor | str, item_ids: Iterable[int] | None = None, notes: str = ""
) -> CycleCount:
    """A draft count of `location`: one line per item × lot held there (or per listed item, lots included)."""
    if location.kind != LocationKind.INTERNAL:
        raise InvalidLocation("Only internal locations are counted.")
    levels = StockLevel.objects.filter(location=location)
    wanted = sorted(set(item_ids)) if item_ids is not None else None
    if wanted is not None:
        known = set(Item.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = [pk for pk in wanted if pk not in known]
        if missing:
            raise UnknownItem(f"Unknown items: {missing}.")
        levels = levels.filter(item_id__in=wanted)
    else:
        levels = levels.exclude(on_hand=0)
    keys: set[tuple[int, int | None]] = set(levels.values_list("item_id", "lot_id"))
    for item_id in wanted or ():
        if not any(key[0] == item_id for key in keys):
            keys.add((item_id, None))  # nothing on the books: counting it may still find stock
    count = CycleCount.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}", location=location, notes=notes, created_by=actor_label(actor)
    )
    CycleCountLine.objects.bulk_create(
        CycleCountLine(cycle_count=count, item_id=item_id, lot_id=lot_id)
        for item_id, lot_id in sorted(keys, key=lambda k: (k[0], k[1] or 0))
    )
    count.number = f"CC{count.pk:06d}"
    count.save(update_fields=["number"])
    record_document_created(count, actor=actor_label(actor), payload={"number": count.number, "lines": len(keys)})
    return count


@transaction.atomic
def start_counting(count: CycleCount, *, actor: Actor | str) -> CycleCount:
    """Freeze the book quantity of every line; the count then measures against this snapshot."""
    transition(count, C.COUNTING, actor=actor_label(actor))
    lines = list(count.lines.select_for_update().order_by("pk"))
    on_hand: dict[tuple[int, int | None], Decimal] = {
        (row["item_id"], row["lot_id"]): row["on_hand"]
        for row in StockLevel.objects.filter(location_id=count.location_id, item_id__in={line.item_id for line in lines}).values(
            "item_id", "lot_id", "on_hand"
        )
    }
    for line in lines:
        line.system_quantity = on_hand.get((line.item_id, line.lot_id), ZERO)
    CycleCountLine.objects.bulk_update(lines, ["system_quantity"])
    CycleCount.objects.filter(pk=count.pk).update(started_at=count.state_changed_at)
    count.started_at = count.state_changed_at
    return count


@transaction.atomic
def record_count(line: CycleCountLine, counted_quantity: Decimal, *, actor: Actor | str, reason: str = "") -> CycleCountLine:
    """Enter what the clerk counted (recounting overwrites); `reason` explains a difference.

    The line's system quantity is re-read now: the book at the moment of counting. Stock that moved between
    starting the count and counting this line is then not mistaken for a difference, and the adjustment
    (counted − system) still lands right on whatever moves after."""
    count = CycleCount.objects.select_for_update().get(pk=line.cycle_count_id)
    require_state(count, C.COUNTING, action="record a count")
    if counted_quantity < 0:
        raise InvalidQuantity("A counted quantity cannot be negative.")
    if reason and reason not in AdjustmentReason.values:
        raise InvalidReason(f"Unknown reason {reason}; use one of {', '.join(AdjustmentReason.values)}.")
    line = CycleCountLine.objects.select_for_update().get(pk=line.pk)
    book = (
        # lot_id=None matches the level without a lot (IS NULL); the stubs want a non-null value for `=`
        StockLevel.objects.filter(item_id=line.item_id, location_id=count.location_id, lot_id=line.lot_id)  # type: ignore[misc]
        .values_list("on_hand", flat=True)
        .first()
    )
    line.system_quantity = book if book is not None else ZERO
    line.counted_quantity, line.reason = counted_quantity, reason
    line.counted_at, line.counted_by = timezone.now(), actor_label(actor)
    line.save(update_fields=["system_quantity", "counted_quantity", "reason", "counted_at", "counted_by"])
    return line


def _reason_for(line: CycleCountLine, difference: Decimal) -> str:
    if difference > 0:
        if line.reason and line.reason != AdjustmentReason.FOUND:
            raise InvalidReason(f"Line {line.pk}: more was counted than booked, so the reason can only be 'found'.")
        return AdjustmentReason.FOUND
    if line.reason and line.reason not in SHORTAGE_REASONS:
        raise InvalidReason(f"Line {line.pk}: less was counted than booked; use damage, expiry or loss.")
    return line.reason or AdjustmentReason.LOSS


@transaction.atomic
def complete_cycle_count(count: CycleCount, *, actor: Actor | str) -> CycleCount:
    """Post the differences and close the count: shortages location → inventory_loss, finds the other way.

    One posting per reason code (key `counts.cycle_count:<id>:<reason>`), so the ledger itself says why stock
    was written off or found, and completing twice posts nothing new."""
    locked = CycleCount.objects.select_for_update().get(pk=count.pk)
    for field in CycleCount._meta.concrete_fields:
        setattr(count, field.attname, getattr(locked, field.attname))
    require_state(count, C.COUNTING, action="complete")
    lines = list(count.lines.order_by("pk"))
    uncounted = [line.pk for line in lines if line.counted_quantity is None]
    if uncounted:
        raise UncountedLines(f"{len(uncounted)} line(s) are not counted yet.")
    loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
    by_reason: dict[str, list[MoveLine]] = defaultdict(list)
    summary: dict[str, str] = {}
    explained: list[CycleCountLine] = []
    for line in lines:
        difference = line.counted_quantity - line.system_quantity  # type: ignore[operator]
        if difference == 0:
            continue
        reason = _reason_for(line, difference)
        if line.reason != reason:
            line.reason = reason
            explained.append(line)
        source, target = (loss.pk, count.location_id) if difference > 0 else (count.location_id, loss.pk)
        by_reason[reason].append(
            MoveLine(
                item_id=line.item_id, from_location_id=source, to_location_id=target, quantity=abs(difference), lot_id=line.lot_id
            )
        )
        summary[str(line.pk)] = f"{difference} {reason}"
    update_rows(explained, ["reason"])  # one statement for every line
    for reason, moves in sorted(by_reason.items()):
        post_moves(
            moves,
            idempotency_key=f"counts.cycle_count:{count.pk}:{reason}",
            document_type="cycle_count",
            document_id=count.pk,
            actor=actor_label(actor),
            reason=reason,
        )
    transition(count, C.COMPLETED, actor=actor_label(actor), payload={"adjustments": summary})
    CycleCount.objects.filter(pk=count.pk).update(completed_at=count.state_changed_at)
    count.completed_at = count.state_changed_at
    return count


@transaction.atomic
def cancel_cycle_count(count: CycleCount, *, actor: Actor | str, reason: str = "") -> CycleCount:
    return transition(count, C.CANCELLED, actor=actor_label(actor), reason=reason)
