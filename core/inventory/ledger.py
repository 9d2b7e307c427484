"""The posting engine behind `services.post_moves`: claim the key, lock, split by lot, value, check, write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from core.catalog.models import Item
from core.inventory.exceptions import InsufficientStock, InvalidMove, LotOnHold, LotRequired, UnknownLot
from core.inventory.holds import HOLD_EXEMPT_TARGETS, held_lots
from core.inventory.locking import LevelKey, ensure_levels, ensure_lots, lock_levels, lock_valuations, write_levels
from core.inventory.models import (
    ItemValuation,
    Lot,
    Posting,
    Reservation,
    ReservationState,
    StockLevel,
    StockMove,
    ValuationAdjustment,
)
from core.inventory.removal import removal_order
from core.inventory.valuation import money, value_inbound, value_internal, value_outbound
from core.locations.models import STOCK_KINDS, Location, LocationKind

if TYPE_CHECKING:
    from core.inventory.services import MoveLine

ZERO = Decimal("0")


def claim_posting(
    key: str,
    *,
    document_type: str,
    document_id: int | None,
    actor: str,
    reason: str,
    occurred_at: datetime,
    posted_at: datetime,
    reverses_id: int | None,
) -> tuple[Posting, bool]:
    """Insert the Posting or find the one that owns `key`.

    INSERT … ON CONFLICT DO NOTHING waits for a concurrent transaction holding the same key: if it commits
    we get no row and read its Posting; if it rolls back our insert goes through. No SELECT-then-INSERT race."""
    table = Posting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (idempotency_key, document_type, document_id, actor, reason, occurred_at, posted_at, "
            "reverses_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [key, document_type, document_id, actor[:200], reason, occurred_at, posted_at, reverses_id],
        )
        row = cursor.fetchone()
    if row is None:
        return Posting.objects.get(idempotency_key=key), False
    posting = Posting(
        pk=row[0],
        idempotency_key=key,
        document_type=document_type,
        document_id=document_id,
        actor=actor[:200],
        reason=reason,
        occurred_at=occurred_at,
        posted_at=posted_at,
        reverses_id=reverses_id,
    )
    posting._state.adding = False
    return posting, True


def lock_active_reservations(reference: str) -> list[Reservation]:
    return list(Reservation.objects.select_for_update().filter(reference=reference, state=ReservationState.ACTIVE).order_by("pk"))


@dataclass
class _Planned:
    """A concrete move after lot resolution and splitting."""

    line_index: int
    item: Item
    lot: Lot | None
    source: Location
    target: Location
    quantity: Decimal
    unit_cost: Decimal | None
    value: Decimal | None


class PostingRun:
    """One execution of a posting inside the caller's transaction."""

    def __init__(
        self, posting: Posting, lines: Sequence[MoveLine], *, allow_negative: bool, consume_reference: str | None
    ) -> None:
        self.posting = posting
        self.lines = lines
        self.allow_negative = allow_negative
        self.consume_reference = consume_reference
        self.levels: dict[LevelKey, StockLevel] = {}
        self.lots: dict[int, Lot] = {}
        self.reserved_by_reference: dict[LevelKey, Decimal] = {}
        self.touched: set[LevelKey] = set()
        self.decreased: dict[LevelKey, int] = {}  # level → first line that took stock from it
        self.locations: dict[int, Location] = {}
        self.valuations: dict[int, ItemValuation] = {}
        self.changing_value: set[int] = set()
        self.held: set[int] = set()  # lots on hold among those this posting could pick

    def run(self) -> None:
        lines = self.lines
        items = Item.objects.in_bulk({line.item_id for line in lines})
        locations = Location.objects.in_bulk({line.from_location_id for line in lines} | {line.to_location_id for line in lines})
        self._validate(items, locations)
        self.locations = locations
        reservations = lock_active_reservations(self.consume_reference) if self.consume_reference else []
        lot_ids = self._resolve_lots(items, locations)
        self._lock(items, locations, lot_ids, reservations)
        self.held = self._held_lots(items, locations, lot_ids)
        for reservation in reservations:
            key = (reservation.item_id, reservation.location_id, reservation.lot_id)
            self.reserved_by_reference[key] = self.reserved_by_reference.get(key, ZERO) + reservation.quantity
            level = self.levels[key]
            level.reserved = max(level.reserved - reservation.quantity, ZERO)
            self.touched.add(key)
        planned = self._plan(items, locations, lot_ids)
        self._check(planned)
        moves, adjustments = self._value(planned)
        self.posting.move_count = len(moves)  # type: ignore[attr-defined]
        created = StockMove.objects.bulk_create(moves, batch_size=1000)
        for adjustment in adjustments:
            adjustment.move = created[adjustment.move_index]  # type: ignore[attr-defined]
        if adjustments:
            ValuationAdjustment.objects.bulk_create(adjustments)
        write_levels(self.levels[key] for key in self.touched)
        if reservations:
            Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(
                state=ReservationState.CONSUMED, updated_at=self.posting.posted_at
            )

    # -- steps ------------------------------------------------------------------------------------
    def _validate(self, items: dict[int, Item], locations: dict[int, Location]) -> None:
        for index, line in enumerate(self.lines):
            if line.item_id not in items:
                raise InvalidMove(f"Unknown item {line.item_id}.", field=f"lines.{index}.itemId")
            for name in ("from_location_id", "to_location_id"):
                if getattr(line, name) not in locations:
                    raise InvalidMove(f"Unknown location {getattr(line, name)}.", field=f"lines.{index}.{_camel(name)}")
            if line.from_location_id == line.to_location_id:
                raise InvalidMove("From and to are the same location.", field=f"lines.{index}.toLocationId")
            item = items[line.item_id]
            if not item.lot_tracked and (line.lot_id is not None or line.lot_code):
                raise InvalidMove(f"Item {item.sku} is not lot-tracked.", field=f"lines.{index}.lotId")

    def _resolve_lots(self, items: dict[int, Item], locations: dict[int, Location]) -> list[int | None]:
        """The lot of each line, or None (untracked item, or a lot-tracked issue to split by strategy)."""
        new_lots = []
        for index, line in enumerate(self.lines):
            item = items[line.item_id]
            if item.lot_tracked and line.lot_id is None and line.lot_code:
                if locations[line.from_location_id].kind not in STOCK_KINDS:
                    received = self.posting.occurred_at
                    expiry = line.expiry_date
                    if expiry is None and item.shelf_life_days:
                        # No date on the label: the item's shelf life from receipt is the best estimate for FEFO.
                        expiry = timezone.localdate(received) + timedelta(days=item.shelf_life_days)
                    new_lots.append((item.pk, line.lot_code, expiry, received, line.unit_cost))
            elif item.lot_tracked and line.lot_id is None and locations[line.from_location_id].kind not in STOCK_KINDS:
                raise LotRequired(f"Item {item.sku} is lot-tracked: give a lot code.", field=f"lines.{index}.lotCode")
        by_code = ensure_lots(new_lots)
        codes_to_find = {
            (line.item_id, line.lot_code)
            for line in self.lines
            if line.lot_id is None and line.lot_code and (line.item_id, line.lot_code) not in by_code
        }
        if codes_to_find:
            for found in Lot.objects.filter(item_id__in={k[0] for k in codes_to_find}, code__in={k[1] for k in codes_to_find}):
                by_code[(found.item_id, found.code)] = found
        explicit = [line.lot_id for line in self.lines if line.lot_id is not None]
        self.lots.update(Lot.objects.in_bulk(explicit))
        self.lots.update({lot.pk: lot for lot in by_code.values()})
        result: list[int | None] = []
        for index, line in enumerate(self.lines):
            if line.lot_id is not None:
                lot = self.lots.get(line.lot_id)
                if lot is None or lot.item_id != line.item_id:
                    raise UnknownLot(f"Lot {line.lot_id} does not belong to item {line.item_id}.", field=f"lines.{index}.lotId")
                result.append(lot.pk)
            elif line.lot_code:
                lot = by_code.get((line.item_id, line.lot_code))
                if lot is None:
                    raise UnknownLot(f"No lot {line.lot_code} of item {line.item_id}.", field=f"lines.{index}.lotCode")
                result.append(lot.pk)
            else:
                result.append(None)
        return result

    def _lock(
        self, items: dict[int, Item], locations: dict[int, Location], lot_ids: list[int | None], reservations: list[Reservation]
    ) -> None:
        keys: set[LevelKey] = set()
        pairs: set[tuple[int, int]] = {(r.item_id, r.location_id) for r in reservations}
        split_sources: set[tuple[int, int, int]] = set()  # (item, from, to) of lines split by lot
        for line, lot_id in zip(self.lines, lot_ids, strict=True):
            item = items[line.item_id]
            for location_id in (line.from_location_id, line.to_location_id):
                if locations[location_id].kind in STOCK_KINDS:
                    pairs.add((item.pk, location_id))
                    if not (item.lot_tracked and lot_id is None):
                        keys.add((item.pk, location_id, lot_id))
            if item.lot_tracked and lot_id is None:
                split_sources.add((item.pk, line.from_location_id, line.to_location_id))
        if split_sources and any(locations[to].kind in STOCK_KINDS for _, _, to in split_sources):
            # Make the destination rows of the lots the split may pick now, so they are locked in order too.
            existing = StockLevel.objects.filter(
                item_id__in={s[0] for s in split_sources}, location_id__in={s[1] for s in split_sources}, lot__isnull=False
            ).values_list("item_id", "location_id", "lot_id")
            for item_id, location_id, lot_id in existing:
                for s_item, s_from, s_to in split_sources:
                    if (s_item, s_from) == (item_id, location_id) and locations[s_to].kind in STOCK_KINDS:
                        keys.add((item_id, s_to, lot_id))
        ensure_levels(keys)
        self.levels = lock_levels(pairs)
        missing_lots = {key[2] for key in self.levels if key[2] is not None and key[2] not in self.lots}
        if missing_lots:
            self.lots.update(Lot.objects.in_bulk(missing_lots))
        moving_items = {
            line.item_id
            for line in self.lines
            if (locations[line.from_location_id].kind in STOCK_KINDS) != (locations[line.to_location_id].kind in STOCK_KINDS)
        }
        self.valuations = lock_valuations(moving_items)
        rest = set(items) - moving_items
        if rest:
            for valuation in ItemValuation.objects.filter(item_id__in=rest):
                self.valuations.setdefault(valuation.item_id, valuation)
        self.changing_value = moving_items

    def _held_lots(self, items: dict[int, Item], locations: dict[int, Location], lot_ids: list[int | None]) -> set[int]:
        """Held lots this posting might pick: asked only when a lot-tracked line leaves stock for a place a
        held lot may not go, so ordinary receipts and write-offs never pay for the question."""
        picking = [
            (line, lot_id)
            for line, lot_id in zip(self.lines, lot_ids, strict=True)
            if items[line.item_id].lot_tracked
            and locations[line.from_location_id].kind in STOCK_KINDS
            and locations[line.to_location_id].kind not in HOLD_EXEMPT_TARGETS
        ]
        if not picking:
            return set()
        sources = {(line.item_id, line.from_location_id) for line, _ in picking}
        candidates = {lot_id for _, lot_id in picking if lot_id is not None}
        candidates |= {key[2] for key in self.levels if key[2] is not None and (key[0], key[1]) in sources}
        return held_lots(candidates)

    def _level(self, key: LevelKey) -> StockLevel:
        level = self.levels.get(key)
        if level is None:
            # A lot that reached the source after we looked (rare): make and lock its row now.
            ensure_levels([key])
            self.levels.update(lock_levels([(key[0], key[1])]))
            level = self.levels[key]
        return level

    def _plan(self, items: dict[int, Item], locations: dict[int, Location], lot_ids: list[int | None]) -> list[_Planned]:
        planned: list[_Planned] = []
        for index, (line, lot_id) in enumerate(zip(self.lines, lot_ids, strict=True)):
            item = items[line.item_id]
            source, target = locations[line.from_location_id], locations[line.to_location_id]
            parts: list[tuple[Lot | None, Decimal]]
            picks = source.kind in STOCK_KINDS and target.kind not in HOLD_EXEMPT_TARGETS
            if item.lot_tracked and lot_id is None:
                parts = list(self._split(index, item, source, line.quantity, skip_held=picks))
            else:
                if picks and lot_id in self.held:
                    raise LotOnHold(
                        f"Lot {self.lots[lot_id].code} of item {item.sku} is on hold and cannot be picked.",
                        field=f"lines.{index}.lotId",
                    )
                parts = [(self.lots.get(lot_id) if lot_id else None, line.quantity)]
            for lot, quantity in parts:
                lot_key = lot.pk if lot else None
                if source.kind in STOCK_KINDS:
                    level = self._level((item.pk, source.pk, lot_key))
                    level.on_hand -= quantity
                    self.touched.add((item.pk, source.pk, lot_key))
                    self.decreased.setdefault((item.pk, source.pk, lot_key), index)
                if target.kind in STOCK_KINDS:
                    level = self._level((item.pk, target.pk, lot_key))
                    level.on_hand += quantity
                    self.touched.add((item.pk, target.pk, lot_key))
                share = line.value * quantity / line.quantity if line.value is not None else None
                planned.append(_Planned(index, item, lot, source, target, quantity, line.unit_cost, share))
        return planned

    def _lot_of(self, level: StockLevel) -> Lot:
        assert level.lot_id is not None, "only lot levels are split across"
        return self.lots[level.lot_id]

    def _split(
        self, index: int, item: Item, source: Location, quantity: Decimal, *, skip_held: bool
    ) -> list[tuple[Lot, Decimal]]:
        """Take `quantity` from the source's lots in removal-strategy order (reserved-for-us lots first),
        passing over held lots when the stock is being picked."""
        candidates = [
            lv
            for key, lv in self.levels.items()
            if key[0] == item.pk and key[1] == source.pk and key[2] is not None and not (skip_held and key[2] in self.held)
        ]
        ordered = removal_order(item, candidates, self.lots)
        ordered.sort(key=lambda lv: self.reserved_by_reference.get((item.pk, source.pk, lv.lot_id), ZERO) <= 0)
        parts: list[tuple[Lot, Decimal]] = []
        remaining = quantity
        for level in ordered:
            free = level.on_hand if self.allow_negative else level.on_hand - level.reserved
            take = min(remaining, max(free, ZERO))
            if take > 0:
                parts.append((self._lot_of(level), take))
                remaining -= take
            if remaining == 0:
                return parts
        if self.allow_negative and ordered:
            parts.append((self._lot_of(ordered[0]), remaining))
            return parts
        raise InsufficientStock(
            f"Not enough of item {item.sku} at {source.code}: {quantity - remaining} of {quantity} available.",
            field=f"lines.{index}.quantity",
        )

    def _check(self, planned: list[_Planned]) -> None:
        """Refuse negative on hand, or on hand below reserved, where this posting took stock away."""
        for key in sorted(self.decreased, key=lambda k: (k[0], k[1], k[2] or -1)):
            level = self.levels[key]
            # The tenant's negative-stock setting covers shelves, never goods in transit.
            if self.allow_negative and self.locations[key[1]].kind == LocationKind.INTERNAL:
                continue
            if level.on_hand < 0 or level.on_hand < level.reserved:
                index = self.decreased[key]
                item = next(p.item for p in planned if p.item.pk == key[0])
                raise InsufficientStock(
                    f"Not enough stock of item {item.sku} at {self.locations[key[1]].code}: "
                    f"on hand would be {level.on_hand} with {level.reserved} reserved.",
                    field=f"lines.{index}.quantity",
                )

    def _value(self, planned: list[_Planned]) -> tuple[list[StockMove], list[ValuationAdjustment]]:
        from core.inventory.valuation import historical_average

        posting = self.posting
        moves: list[StockMove] = []
        adjustments: list[ValuationAdjustment] = []
        occurred = posting.occurred_at
        for move_index, p in enumerate(planned):
            valuation = self.valuations.get(p.item.pk) or ItemValuation(item_id=p.item.pk)
            inbound = p.source.kind not in STOCK_KINDS and p.target.kind in STOCK_KINDS
            outbound = p.source.kind in STOCK_KINDS and p.target.kind not in STOCK_KINDS
            backdated = valuation.last_occurred_at is not None and occurred < valuation.last_occurred_at
            kwargs = {"explicit_cost": p.unit_cost, "explicit_value": p.value, "lot": p.lot, "item": p.item}
            if inbound:
                valued = value_inbound(valuation, p.quantity, **kwargs)  # type: ignore[arg-type]
            elif outbound:
                valued = value_outbound(valuation, p.quantity, **kwargs)  # type: ignore[arg-type]
            else:
                cost = p.unit_cost if p.unit_cost is not None else valuation.average_cost
                valued = value_internal(cost, p.quantity, lot=p.lot, item=p.item)
            moves.append(
                StockMove(
                    posting_id=posting.pk,
                    item_id=p.item.pk,
                    lot=p.lot,
                    from_location_id=p.source.pk,
                    to_location_id=p.target.pk,
                    quantity=p.quantity,
                    unit_cost=valued.unit_cost,
                    value=valued.value,
                    item_average_cost=valuation.average_cost,
                    document_type=posting.document_type,
                    document_id=posting.document_id,
                    occurred_at=occurred,
                    posted_at=posting.posted_at,
                    actor=posting.actor,
                )
            )
            if backdated and valued.at_average and (inbound or outbound):
                historical = historical_average(p.item.pk, occurred)
                if historical is not None and historical != valued.unit_cost:
                    sign = 1 if outbound else -1
                    adjustment = ValuationAdjustment(
                        item_id=p.item.pk,
                        posting_id=posting.pk,
                        occurred_at=occurred,
                        quantity=p.quantity,
                        posted_unit_cost=valued.unit_cost,
                        historical_unit_cost=historical,
                        amount=money(sign * p.quantity * (historical - valued.unit_cost)),
                    )
                    adjustment.move_index = move_index  # type: ignore[attr-defined]
                    adjustments.append(adjustment)
        for item_id in self.changing_value:
            valuation = self.valuations[item_id]
            if valuation.last_occurred_at is None or occurred > valuation.last_occurred_at:
                valuation.last_occurred_at = occurred
            valuation.save()
        return moves, adjustments


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
