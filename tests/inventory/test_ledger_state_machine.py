"""Random sequences of receipts, reservations, shipments, transfers, counts and reversals keep the books true."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from core.catalog.models import RemovalStrategy
from core.inventory.exceptions import InsufficientStock
from core.inventory.factories import make_item, make_stock_location
from core.inventory.models import ItemValuation, Posting, Reservation, ReservationState, StockLevel, StockMove
from core.inventory.services import MoveLine, post_moves, release_reservation, reserve_stock, reverse_posting
from core.locations.models import STOCK_KINDS, Location, LocationKind
from core.locations.services import create_transit_location, get_virtual_location

quantities = st.integers(min_value=1, max_value=25).map(Decimal)
costs = st.integers(min_value=100, max_value=5000).map(lambda cents: Decimal(cents) / 100)
TOLERANCE = Decimal("0.01")


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.items = [make_item(), make_item(lot_tracked=True, removal_strategy=RemovalStrategy.FEFO)]
        self.shelves = [make_stock_location(), make_stock_location()]
        self.supplier = get_virtual_location(LocationKind.SUPPLIER)
        self.customer = get_virtual_location(LocationKind.CUSTOMER)
        self.loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
        self.on_hand: dict[tuple[int, int], Decimal] = defaultdict(Decimal)  # the model: (item, shelf) → quantity
        self.reserved: dict[str, tuple[int, int, Decimal]] = {}  # active reference → (item, shelf, quantity)
        self.postings: list[tuple[str, list[MoveLine], dict[str, object]]] = []

    # -- helpers ----------------------------------------------------------------------------------
    def _available(self, item_id: int, shelf_id: int) -> Decimal:
        held = sum((q for i, s, q in self.reserved.values() if (i, s) == (item_id, shelf_id)), Decimal(0))
        return self.on_hand[(item_id, shelf_id)] - held

    def _post(self, lines: list[MoveLine], **options: object) -> Posting:
        key = f"sm:{uuid.uuid4().hex}"
        posting = post_moves(lines, idempotency_key=key, **options)  # type: ignore[arg-type]
        self.postings.append((key, lines, options))
        return posting

    def _apply(self, posting: Posting, sign: int = 1) -> None:
        for move in StockMove.objects.filter(posting=posting):
            if move.from_location_id in self._shelf_ids:
                self.on_hand[(move.item_id, move.from_location_id)] -= sign * move.quantity
            if move.to_location_id in self._shelf_ids:
                self.on_hand[(move.item_id, move.to_location_id)] += sign * move.quantity

    @property
    def _shelf_ids(self) -> set[int]:
        return {shelf.pk for shelf in self.shelves}

    # -- rules ------------------------------------------------------------------------------------
    @rule(item=st.integers(0, 1), shelf=st.integers(0, 1), quantity=quantities, cost=costs, lot=st.sampled_from("ABC"))
    def receive(self, item: int, shelf: int, quantity: Decimal, cost: Decimal, lot: str) -> None:
        it, sh = self.items[item], self.shelves[shelf]
        tracked = (
            {"lot_code": f"{it.pk}-{lot}", "expiry_date": date(2027, 1, 1) + timedelta(days=ord(lot))} if it.lot_tracked else {}
        )
        self._post([MoveLine(it.pk, self.supplier.pk, sh.pk, quantity, unit_cost=cost, **tracked)])
        self.on_hand[(it.pk, sh.pk)] += quantity

    @rule(item=st.integers(0, 1), shelf=st.integers(0, 1), quantity=quantities)
    def ship(self, item: int, shelf: int, quantity: Decimal) -> None:
        it, sh = self.items[item], self.shelves[shelf]
        expected = quantity <= self._available(it.pk, sh.pk)
        try:
            self._post([MoveLine(it.pk, sh.pk, self.customer.pk, quantity)])
        except InsufficientStock:
            assert not expected, "refused although the stock was available"
            return
        assert expected, "shipped more than was available"
        self.on_hand[(it.pk, sh.pk)] -= quantity

    @rule(item=st.integers(0, 1), shelf=st.integers(0, 1), quantity=quantities)
    def reserve(self, item: int, shelf: int, quantity: Decimal) -> None:
        it, sh = self.items[item], self.shelves[shelf]
        expected = quantity <= self._available(it.pk, sh.pk)
        reference = f"so:{uuid.uuid4().hex[:8]}"
        try:
            reserve_stock(it.pk, sh.pk, quantity, reference=reference)
        except InsufficientStock:
            assert not expected
            return
        assert expected
        self.reserved[reference] = (it.pk, sh.pk, quantity)

    @precondition(lambda self: self.reserved)
    @rule(data=st.data(), release=st.booleans())
    def settle_reservation(self, data: st.DataObject, release: bool) -> None:
        reference = data.draw(st.sampled_from(sorted(self.reserved)))
        item_id, shelf_id, quantity = self.reserved.pop(reference)
        if release:
            release_reservation(reference)
            return
        self._post([MoveLine(item_id, shelf_id, self.customer.pk, quantity)], consume_reference=reference)
        self.on_hand[(item_id, shelf_id)] -= quantity

    @rule(item=st.integers(0, 1), source=st.integers(0, 1), quantity=quantities)
    def transfer_through_transit(self, item: int, source: int, quantity: Decimal) -> None:
        it, origin, destination = self.items[item], self.shelves[source], self.shelves[1 - source]
        expected = quantity <= self._available(it.pk, origin.pk)
        transit = create_transit_location(destination, "TR")
        try:
            self._post([MoveLine(it.pk, origin.pk, transit.pk, quantity)])
        except InsufficientStock:
            assert not expected
            return
        assert expected
        self.on_hand[(it.pk, origin.pk)] -= quantity
        self._post([MoveLine(it.pk, transit.pk, destination.pk, quantity)])
        self.on_hand[(it.pk, destination.pk)] += quantity

    @rule(item=st.integers(0, 1), shelf=st.integers(0, 1), counted=st.integers(0, 40).map(Decimal))
    def count(self, item: int, shelf: int, counted: Decimal) -> None:
        it, sh = self.items[item], self.shelves[shelf]
        difference = counted - self.on_hand[(it.pk, sh.pk)]
        if difference == 0:
            return
        held = self.on_hand[(it.pk, sh.pk)] - self._available(it.pk, sh.pk)
        if difference > 0:
            tracked = {"lot_code": f"{it.pk}-COUNT"} if it.lot_tracked else {}
            self._post([MoveLine(it.pk, self.loss.pk, sh.pk, difference, **tracked)])
        else:
            try:
                self._post([MoveLine(it.pk, sh.pk, self.loss.pk, -difference)])
            except InsufficientStock:
                assert counted < held, "a count loss was refused although nothing reserved stood in the way"
                return
            assert counted >= held
        self.on_hand[(it.pk, sh.pk)] = counted

    @precondition(lambda self: self.postings)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        key, _, _ = data.draw(st.sampled_from(self.postings))
        if Posting.objects.filter(idempotency_key=f"reverse:{key}").exists() or key.startswith("reverse:"):
            return
        try:
            reversal = reverse_posting(key, actor="machine", reason="test")
        except InsufficientStock:
            return  # the stock it would take back has moved on; nothing was written (checked by the invariants)
        self._apply(reversal)

    @precondition(lambda self: self.postings)
    @rule()
    def repost_last_key(self) -> None:
        key, lines, options = self.postings[-1]
        before = StockMove.objects.count()
        first = Posting.objects.get(idempotency_key=key)
        # The same request again (same lines and options): the key's payload fingerprint matches, nothing posts.
        again = post_moves(lines, idempotency_key=key, **options)  # type: ignore[arg-type]
        assert again.pk == first.pk
        assert StockMove.objects.count() == before

    # -- invariants -------------------------------------------------------------------------------
    @invariant()
    def levels_equal_the_sum_of_moves(self) -> None:
        item_ids = [item.pk for item in self.items]
        flows: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
        for row in (
            StockMove.objects.filter(item_id__in=item_ids)
            .values("item_id", "to_location_id", "lot_id")
            .annotate(q=Sum("quantity"))
        ):
            flows[(row["item_id"], row["to_location_id"], row["lot_id"])] += row["q"]
        for row in (
            StockMove.objects.filter(item_id__in=item_ids)
            .values("item_id", "from_location_id", "lot_id")
            .annotate(q=Sum("quantity"))
        ):
            flows[(row["item_id"], row["from_location_id"], row["lot_id"])] -= row["q"]
        kinds = dict(Location.objects.filter(pk__in={k[1] for k in flows}).values_list("pk", "kind"))
        expected = {key: q for key, q in flows.items() if kinds[key[1]] in STOCK_KINDS and q != 0}
        levels = {(lv.item_id, lv.location_id, lv.lot_id): lv for lv in StockLevel.objects.filter(item_id__in=item_ids)}
        assert {k: lv.on_hand for k, lv in levels.items() if lv.on_hand != 0} == expected
        for level in levels.values():
            assert Decimal(0) <= level.reserved <= level.on_hand
        held: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
        for r in Reservation.objects.filter(item_id__in=item_ids, state=ReservationState.ACTIVE):
            held[(r.item_id, r.location_id, r.lot_id)] += r.quantity
        assert {k: lv.reserved for k, lv in levels.items() if lv.reserved} == dict(held)

    @invariant()
    def shelves_match_the_model(self) -> None:
        for item in self.items:
            for shelf in self.shelves:
                total = StockLevel.objects.filter(item=item, location=shelf).aggregate(t=Sum("on_hand"))["t"] or 0
                assert total == self.on_hand[(item.pk, shelf.pk)]

    @invariant()
    def value_equals_the_sum_of_move_values_at_moving_average(self) -> None:
        for item in self.items:
            valuation = ItemValuation.objects.filter(item=item).first()
            if valuation is None:
                continue
            moves = StockMove.objects.filter(item=item).select_related("from_location", "to_location")
            value = Decimal(0)
            quantity = Decimal(0)
            for move in moves:
                inside_from = move.from_location.kind in STOCK_KINDS
                inside_to = move.to_location.kind in STOCK_KINDS
                if inside_to and not inside_from:
                    value, quantity = value + move.value, quantity + move.quantity
                elif inside_from and not inside_to:
                    value, quantity = value - move.value, quantity - move.quantity
            assert valuation.inventory_value == value
            assert valuation.on_hand == quantity
            assert valuation.inventory_value >= -TOLERANCE
            if valuation.on_hand > 0:
                assert abs(
                    valuation.inventory_value - valuation.on_hand * valuation.average_cost
                ) <= TOLERANCE + valuation.on_hand * Decimal("0.000001")
            else:
                assert abs(valuation.inventory_value) <= TOLERANCE


def test_random_ledger_histories_keep_the_books_true(in_alpha):
    # given / when / then: each step is checked against the model and the ledger invariants
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=5, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
        ),
    )
