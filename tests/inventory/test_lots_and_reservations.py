"""Lots leave by removal strategy; reservations hold stock and are consumed by the shipment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.catalog.models import CostMethod, RemovalStrategy
from core.inventory import selectors
from core.inventory.exceptions import InsufficientStock, LotRequired
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.inventory.models import Lot, Reservation, ReservationState, StockMove
from core.inventory.services import MoveLine, post_moves, release_reservation, reserve_stock
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location


def test_fefo_item_ships_the_soonest_expiry_first(in_alpha):
    # given
    item, shelf = make_item(lot_tracked=True, removal_strategy=RemovalStrategy.FEFO), make_stock_location()
    receive(item, shelf, "5", lot_code="L-LATE", expiry_date=date(2027, 6, 1))
    receive(item, shelf, "5", lot_code="L-SOON", expiry_date=date(2027, 1, 1))
    # when
    posting = issue(item, shelf, "7")
    # then
    taken = {m.lot.code: m.quantity for m in StockMove.objects.filter(posting=posting).select_related("lot")}
    assert taken == {"L-SOON": Decimal("5"), "L-LATE": Decimal("2")}


def test_fifo_item_ships_the_oldest_receipt_first(in_alpha):
    # given
    item, shelf = make_item(lot_tracked=True, removal_strategy=RemovalStrategy.FIFO), make_stock_location()
    receive(item, shelf, "5", lot_code="FIRST", expiry_date=date(2027, 6, 1))
    receive(item, shelf, "5", lot_code="SECOND", expiry_date=date(2027, 1, 1))
    # when
    posting = issue(item, shelf, "3")
    # then
    assert [m.lot.code for m in StockMove.objects.filter(posting=posting).select_related("lot")] == ["FIRST"]


def test_lot_tracked_receipt_without_lot_is_refused(in_alpha):
    # given
    item, shelf = make_item(lot_tracked=True), make_stock_location()
    # when / then
    with pytest.raises(LotRequired):
        receive(item, shelf, "5")


def test_fifo_lot_costing_values_issues_at_the_lot_cost(in_alpha):
    # given
    item = make_item(lot_tracked=True, cost_method=CostMethod.FIFO_LOT)
    shelf = make_stock_location()
    receive(item, shelf, "10", unit_cost="1", lot_code="CHEAP")
    receive(item, shelf, "10", unit_cost="3", lot_code="DEAR")
    # when
    posting = issue(item, shelf, "12")
    # then
    assert sum(m.value for m in StockMove.objects.filter(posting=posting)) == Decimal("16")
    assert selectors.stock_value() >= Decimal("24")


def test_reservation_blocks_other_issues_but_not_its_shipment(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10")
    reserve_stock(item.pk, shelf.pk, Decimal("8"), reference="so:1")
    # when another order tries to take the reserved stock
    with pytest.raises(InsufficientStock):
        issue(item, shelf, "3")
    # and the reserving order ships
    customer = get_virtual_location(LocationKind.CUSTOMER)
    post_moves([MoveLine(item.pk, shelf.pk, customer.pk, Decimal("8"))], idempotency_key="so:1:ship", consume_reference="so:1")
    # then
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("2")
    assert selectors.available(item.pk, shelf.pk) == Decimal("2")
    assert Reservation.objects.get(reference="so:1").state == ReservationState.CONSUMED


def test_reservation_beyond_available_is_refused_and_release_frees_it(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10")
    reserve_stock(item.pk, shelf.pk, Decimal("6"), reference="so:a")
    # when
    with pytest.raises(InsufficientStock):
        reserve_stock(item.pk, shelf.pk, Decimal("5"), reference="so:b")
    release_reservation("so:a")
    released_again = release_reservation("so:a")
    reserve_stock(item.pk, shelf.pk, Decimal("5"), reference="so:b")
    # then
    assert selectors.available(item.pk, shelf.pk) == Decimal("5")
    assert selectors.inventory_position(item.pk, shelf.pk) == Decimal("5")
    assert released_again == []


def test_reservation_of_a_lot_tracked_item_splits_across_lots(in_alpha):
    # given
    item, shelf = make_item(lot_tracked=True, removal_strategy=RemovalStrategy.FEFO), make_stock_location()
    receive(item, shelf, "4", lot_code="B", expiry_date=date(2027, 3, 1))
    receive(item, shelf, "4", lot_code="A", expiry_date=date(2027, 2, 1))
    # when
    reservations = reserve_stock(item.pk, shelf.pk, Decimal("6"), reference="so:lots")
    # then
    by_lot = {Lot.objects.get(pk=r.lot_id).code: r.quantity for r in reservations}
    assert by_lot == {"A": Decimal("4"), "B": Decimal("2")}


def test_a_lot_received_without_expiry_expires_after_the_shelf_life(in_alpha):
    # given
    item, shelf = make_item(lot_tracked=True, shelf_life_days=30), make_stock_location()
    # when
    posting = receive(item, shelf, "5", lot_code="NO-DATE")
    # then
    lot = Lot.objects.get(item=item, code="NO-DATE")
    assert lot.expiry_date == timezone.localdate(posting.occurred_at) + timedelta(days=30)
