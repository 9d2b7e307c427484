"""The posting engine behind `services.post_moves`: claim the key, lock, split by lot, value, check, write."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from core.catalog.models import Item
from core.inventory.exceptions import InsufficientStock, InvalidMove, LotOnHold, LotRequired, UnknownLot
from core.inventory.holds import HOLD_EXEMPT_TARGETS, held_lots
from core.inventory.locking import LevelKey, ensure_levels, lock_levels
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


@dataclass
class Prepared:
    """What `inventory_prepare_posting` claimed, created, locked and read for one posting."""

    posting_id: int
    items: dict[int, Item]
    locations: dict[int, Location]
    reservations: list[Reservation]
    levels: dict[LevelKey, StockLevel]
    valuations: dict[int, ItemValuation]
    moving_items: set[int]
    historical: dict[int, Decimal | None]
    lots: dict[int, Lot]


@dataclass
class Claimed:
    """The key was already taken: the first posting's id and the fingerprint it was posted with."""

    posting_id: int
    fingerprint: str


def prepare_posting(
    key: str,
    *,
    fingerprint: str,
    document_type: str,
    document_id: int | None,
    actor: str,
    reason: str,
    occurred_at: datetime,
    posted_at: datetime,
    reverses_id: int | None,
    consume_reference: str | None,
    lines: Sequence[MoveLine],
) -> Prepared | Claimed:
    """Claim `key` and lock what the lines touch, in one round trip (see migration 0003 for the SQL).

    The INSERT … ON CONFLICT DO NOTHING on the key waits for a concurrent holder of the same key: if it
    commits we get its posting back; if it rolls back our insert goes through. No SELECT-then-INSERT race."""
    payload = [
        {
            "idx": index,
            "item": line.item_id,
            "src": line.from_location_id,
            "dst": line.to_location_id,
            "lot_id": line.lot_id,
            "lot_code": line.lot_code or None,
            "expiry": line.expiry_date.isoformat() if line.expiry_date else None,
            "unit_cost": str(line.unit_cost) if line.unit_cost is not None else None,
        }
        for index, line in enumerate(lines)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inventory_prepare_posting(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
            [
                key,
                fingerprint,
                document_type,
                document_id,
                actor[:200],
                reason,
                occurred_at,
                posted_at,
                reverses_id,
                consume_reference,
                timezone.get_current_timezone_name(),
                json.dumps(payload),
            ],
        )
        row = cursor.fetchone()
    assert row is not None
    data = json.loads(row[0], parse_float=Decimal)
    if "existing" in data:
        return Claimed(data["existing"], data["fingerprint"])
    return _prepared(data)


def _prepared(data: dict[str, Any]) -> Prepared:
    items = {
        pk: Item(pk=pk, sku=sku, lot_tracked=tracked, shelf_life_days=shelf, cost_method=cost, removal_strategy=removal)
        for pk, sku, tracked, shelf, cost, removal in data["items"]
    }
    locations = {pk: Location(pk=pk, code=code, kind=kind) for pk, code, kind in data["locations"]}
    reservations = [
        Reservation(pk=pk, item_id=item, location_id=location, lot_id=lot, quantity=_decimal(quantity))
        for pk, item, location, lot, quantity in data["reservations"]
    ]
    levels = {
        (item, location, lot): StockLevel(
            pk=pk, item_id=item, location_id=location, lot_id=lot, on_hand=_decimal(on_hand), reserved=_decimal(reserved)
        )
        for pk, item, location, lot, on_hand, reserved in data["levels"]
    }
    valuations: dict[int, ItemValuation] = {}
    moving: set[int] = set()
    for item, on_hand, average, value, last, is_moving in data["valuations"]:
        valuations[item] = ItemValuation(
            item_id=item,
            on_hand=_decimal(on_hand),
            average_cost=_decimal(average),
            inventory_value=_decimal(value),
            last_occurred_at=datetime.fromisoformat(last) if last else None,
        )
        if is_moving:
            moving.add(item)
    lots = {
        pk: Lot(
            pk=pk,
            item_id=item,
            code=code,
            expiry_date=date.fromisoformat(expiry) if expiry else None,
            received_at=datetime.fromisoformat(received),
            unit_cost=_decimal(cost) if cost is not None else None,
        )
        for pk, item, code, expiry, received, cost in data["lots"]
    }
    historical = {int(item): _decimal(cost) if cost is not None else None for item, cost in data["historical"].items()}
    for model in (*items.values(), *locations.values(), *reservations, *levels.values(), *valuations.values(), *lots.values()):
        model._state.adding = False
    return Prepared(data["posting"], items, locations, reservations, levels, valuations, moving, historical, lots)


def _decimal(value: Decimal | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


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
    """One execution of a prepared posting inside the caller's transaction: plan, check, value, write."""

    def __init__(
        self,
        posting: Posting,
        lines: Sequence[MoveLine],
        prepared: Prepared,
        *,
        allow_negative: bool,
    ) -> None:
        self.posting = posting
        self.lines = lines
        self.prepared = prepared
        self.allow_negative = allow_negative
        self.levels: dict[LevelKey, StockLevel] = prepared.levels
        self.lots: dict[int, Lot] = prepared.lots
        self.reserved_by_reference: dict[LevelKey, Decimal] = {}
        self.touched: set[LevelKey] = set()
        self.decreased: dict[LevelKey, int] = {}  # level → first line that took stock from it
        self.locations: dict[int, Location] = prepared.locations
        self.valuations: dict[int, ItemValuation] = prepared.valuations
        self.changing_value: set[int] = prepared.moving_items
        self.held: set[int] = set()  # lots on hold among those this posting could pick

    def run(self) -> int:
        """Plan, check and value in Python, then write everything in one statement. Returns the move count."""
        items, locations = self.prepared.items, self.prepared.locations
        self._validate(items, locations)
        lot_ids = self._resolve_lots(items, locations)
        reservations = self.prepared.reservations
        self.held = self._held_lots(items, locations, lot_ids)
        for reservation in reservations:
            key = (reservation.item_id, reservation.location_id, reservation.lot_id)
            self.reserved_by_reference[key] = self.reserved_by_reference.get(key, ZERO) + reservation.quantity
            level = self._level(key)
            level.reserved = max(level.reserved - reservation.quantity, ZERO)
            self.touched.add(key)
        planned = self._plan(items, locations, lot_ids)
        self._check(planned)
        moves, adjustments = self._value(planned)
        write_posting(
            self.posting,
            moves,
            adjustments,
            [self.levels[key] for key in self.touched],
            [self.valuations[item_id] for item_id in sorted(self.changing_value)],
            [r.pk for r in reservations],
        )
        return len(moves)

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
            if not ({locations[line.from_location_id].kind, locations[line.to_location_id].kind} & set(STOCK_KINDS)):
                # supplier → loss would book value out of nowhere into nowhere: every move touches stock we hold
                raise InvalidMove(
                    "A move between two virtual locations (supplier, customer, loss) holds no stock.",
                    field=f"lines.{index}.toLocationId",
                )
            item = items[line.item_id]
            if not item.lot_tracked and (line.lot_id is not None or line.lot_code):
                raise InvalidMove(f"Item {item.sku} is not lot-tracked.", field=f"lines.{index}.lotId")

    def _resolve_lots(self, items: dict[int, Item], locations: dict[int, Location]) -> list[int | None]:
        """The lot of each line, or None (untracked item, or a lot-tracked issue to split by strategy).

        The prepare step created the lots received here and read every lot the lines name."""
        by_code = {(lot.item_id, lot.code): lot for lot in self.lots.values()}
        result: list[int | None] = []
        for index, line in enumerate(self.lines):
            item = items[line.item_id]
            if line.lot_id is not None:
                lot = self.lots.get(line.lot_id)
                if lot is None or lot.item_id != line.item_id:
                    raise UnknownLot(f"Lot {line.lot_id} does not belong to item {line.item_id}.", field=f"lines.{index}.lotId")
                result.append(lot.pk)
            elif line.lot_code:
                found = by_code.get((line.item_id, line.lot_code))
                if found is None:
                    raise UnknownLot(f"No lot {line.lot_code} of item {line.item_id}.", field=f"lines.{index}.lotCode")
                result.append(found.pk)
            elif item.lot_tracked and locations[line.from_location_id].kind not in STOCK_KINDS:
                raise LotRequired(f"Item {item.sku} is lot-tracked: give a lot code.", field=f"lines.{index}.lotCode")
            else:
                result.append(None)
        return result

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
            missing = {k[2] for k in self.levels if k[2] is not None and k[2] not in self.lots}
            if missing:
                self.lots.update(Lot.objects.in_bulk(missing))
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
                historical = self.prepared.historical.get(p.item.pk)
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
        return moves, adjustments


def write_posting(
    posting: Posting,
    moves: list[StockMove],
    adjustments: list[ValuationAdjustment],
    levels: list[StockLevel],
    valuations: list[ItemValuation],
    consumed_reservations: list[int],
) -> None:
    """Write a planned posting in one statement: moves, valuation adjustments, levels, valuations, consumed
    reservations, the `stock.posted` event and its outbox row. Every row it updates is locked already.

    Move ids come from the sequence in the order of the ordered INSERT … SELECT, so the n-th adjustment's
    move is found by its rank among the returned ids."""
    adjusted = [(a, a.move_index) for a in adjustments]  # type: ignore[attr-defined]
    payload = {
        "idempotency_key": posting.idempotency_key,
        "document_type": posting.document_type,
        "document_id": posting.document_id,
        "reverses": posting.reverses_id,
        "lines": len(moves),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _WRITE_POSTING,
            {
                "posting": posting.pk,
                "document_type": posting.document_type,
                "document_id": posting.document_id,
                "occurred_at": posting.occurred_at,
                "posted_at": posting.posted_at,
                "actor": posting.actor[:200],
                "m_item": [m.item_id for m in moves],
                "m_lot": [m.lot_id for m in moves],
                "m_from": [m.from_location_id for m in moves],
                "m_to": [m.to_location_id for m in moves],
                "m_quantity": [m.quantity for m in moves],
                "m_cost": [m.unit_cost for m in moves],
                "m_value": [m.value for m in moves],
                "m_average": [m.item_average_cost for m in moves],
                "a_item": [a.item_id for a, _ in adjusted],
                "a_move": [index + 1 for _, index in adjusted],
                "a_quantity": [a.quantity for a, _ in adjusted],
                "a_posted": [a.posted_unit_cost for a, _ in adjusted],
                "a_historical": [a.historical_unit_cost for a, _ in adjusted],
                "a_amount": [a.amount for a, _ in adjusted],
                "l_id": [level.pk for level in levels],
                "l_on_hand": [level.on_hand for level in levels],
                "l_reserved": [level.reserved for level in levels],
                "v_item": [v.item_id for v in valuations],
                "v_on_hand": [v.on_hand for v in valuations],
                "v_average": [v.average_cost for v in valuations],
                "v_value": [v.inventory_value for v in valuations],
                "v_last": [v.last_occurred_at for v in valuations],
                "reservations": consumed_reservations,
                "payload": json.dumps(payload),
            },
        )


_WRITE_POSTING = """
WITH moves AS (
    INSERT INTO inventory_stockmove (posting_id, item_id, lot_id, from_location_id, to_location_id, quantity, unit_cost,
                                     value, item_average_cost, document_type, document_id, occurred_at, posted_at, actor)
    SELECT %(posting)s, m.item, m.lot, m.src, m.dst, m.quantity, m.cost, m.value, m.average, %(document_type)s,
           %(document_id)s, %(occurred_at)s, %(posted_at)s, %(actor)s
      FROM unnest(%(m_item)s::bigint[], %(m_lot)s::bigint[], %(m_from)s::bigint[], %(m_to)s::bigint[],
                  %(m_quantity)s::numeric[], %(m_cost)s::numeric[], %(m_value)s::numeric[], %(m_average)s::numeric[])
           WITH ORDINALITY AS m(item, lot, src, dst, quantity, cost, value, average, ord)
     ORDER BY m.ord
    RETURNING id
), ranked AS (
    SELECT id, row_number() OVER (ORDER BY id) AS ord FROM moves
), adjustments AS (
    INSERT INTO inventory_valuationadjustment (item_id, posting_id, move_id, occurred_at, quantity, posted_unit_cost,
                                               historical_unit_cost, amount, created_at)
    SELECT a.item, %(posting)s, r.id, %(occurred_at)s, a.quantity, a.posted, a.historical, a.amount, %(posted_at)s
      FROM unnest(%(a_item)s::bigint[], %(a_move)s::bigint[], %(a_quantity)s::numeric[], %(a_posted)s::numeric[],
                  %(a_historical)s::numeric[], %(a_amount)s::numeric[]) AS a(item, move, quantity, posted, historical, amount)
      JOIN ranked r ON r.ord = a.move
), levels AS (
    UPDATE inventory_stocklevel AS l SET on_hand = v.on_hand, reserved = v.reserved
      FROM unnest(%(l_id)s::bigint[], %(l_on_hand)s::numeric[], %(l_reserved)s::numeric[]) AS v(id, on_hand, reserved)
     WHERE l.id = v.id
), valuations AS (
    UPDATE inventory_itemvaluation AS t
       SET on_hand = v.on_hand, average_cost = v.average, inventory_value = v.value, last_occurred_at = v.last
      FROM unnest(%(v_item)s::bigint[], %(v_on_hand)s::numeric[], %(v_average)s::numeric[], %(v_value)s::numeric[],
                  %(v_last)s::timestamptz[]) AS v(item, on_hand, average, value, last)
     WHERE t.item_id = v.item
), consumed AS (
    UPDATE inventory_reservation SET state = 'consumed', updated_at = %(posted_at)s WHERE id = ANY(%(reservations)s::bigint[])
), event AS (
    INSERT INTO events_domainevent (event_type, subject_type, subject_id, from_state, to_state, occurred_at, actor,
                                    payload, blocking_reason)
    VALUES ('stock.posted', 'posting', %(posting)s, '', '', %(occurred_at)s, %(actor)s, %(payload)s::jsonb, '')
    RETURNING id, occurred_at
), outbox AS (
    INSERT INTO events_outboxmessage (event_id, created_at, processed_at, attempts, last_error)
    SELECT id, occurred_at, NULL, 0, '' FROM event
)
SELECT (SELECT count(*) FROM moves)
"""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
