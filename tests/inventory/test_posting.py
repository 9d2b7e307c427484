"""Posting stock moves: levels follow the moves, keys are idempotent, stock never goes negative."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.inventory import selectors
from core.inventory.exceptions import InsufficientStock
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.inventory.models import Posting, StockMove
from core.inventory.services import MoveLine, post_moves, reverse_posting
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location


def test_receipt_then_issue_moves_on_hand(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    # when
    receive(item, shelf, "10", unit_cost="2.50")
    issue(item, shelf, "4")
    # then
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("6")
    assert selectors.stock_value() >= Decimal("15")


def test_reposting_the_same_key_writes_nothing(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    first = receive(item, shelf, "5", key="po:1:receipt:1")
    # when
    again = receive(item, shelf, "5", key="po:1:receipt:1")
    # then
    assert again.pk == first.pk
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("5")
    assert StockMove.objects.filter(posting__idempotency_key="po:1:receipt:1").count() == 1


def test_issue_beyond_on_hand_is_refused(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "3")
    # when
    with pytest.raises(InsufficientStock) as error:
        issue(item, shelf, "4", key="too-much")
    # then
    assert error.value.code == "INSUFFICIENT_STOCK"
    assert error.value.field == "lines.0.quantity"
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("3")
    assert not Posting.objects.filter(idempotency_key="too-much").exists()


def test_reversal_restores_stock_and_value(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10", unit_cost="3")
    value_before = selectors.stock_value()
    posting = receive(item, shelf, "5", unit_cost="7")
    # when
    reversal = reverse_posting(posting.idempotency_key, actor="clerk@x", reason="wrong supplier")
    again = reverse_posting(posting.idempotency_key, actor="clerk@x", reason="wrong supplier")
    # then
    assert again.pk == reversal.pk
    assert reversal.reverses_id == posting.pk
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("10")
    assert selectors.stock_value() == value_before


def test_transfer_through_transit_counts_in_position_of_destination(in_alpha):
    # given
    from core.locations.services import create_transit_location

    item, origin, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, origin, "20")
    transit = create_transit_location(store, "TR-1")
    # when
    post_moves([MoveLine(item.pk, origin.pk, transit.pk, Decimal("8"))], idempotency_key="tr:1:ship")
    # then
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("8")
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("8")
    assert selectors.inventory_position(item.pk, origin.pk) == Decimal("12")
    # when the goods arrive
    post_moves([MoveLine(item.pk, transit.pk, store.pk, Decimal("8"))], idempotency_key="tr:1:arrive")
    # then
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("0")
    assert selectors.on_hand(item.pk, store.pk) == Decimal("8")


def test_virtual_locations_are_made_once(in_alpha):
    # when
    first = get_virtual_location(LocationKind.CUSTOMER)
    second = get_virtual_location(LocationKind.CUSTOMER)
    # then
    assert first.pk == second.pk
