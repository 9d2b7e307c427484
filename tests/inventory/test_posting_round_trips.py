"""The posting path: idempotency bound to the payload, and a statement count that does not grow with lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.events.models import DomainEvent, OutboxMessage
from core.inventory import selectors
from core.inventory.exceptions import IdempotencyKeyReused
from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.models import ItemValuation, Posting, StockLevel, StockMove, ValuationAdjustment
from core.inventory.services import MoveLine, post_moves
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location


def test_same_key_and_same_payload_returns_the_first_posting(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    first = receive(item, shelf, "5", unit_cost="2", key="po:7:receipt:1")
    # when
    again = receive(item, shelf, "5.0000", unit_cost="2.00", key="po:7:receipt:1")
    # then
    assert again.pk == first.pk
    assert again.fingerprint == first.fingerprint != ""
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("5")


def test_same_key_with_another_payload_is_refused_with_a_typed_error(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "5", key="po:8:receipt:1")
    # when
    with pytest.raises(IdempotencyKeyReused) as error:
        receive(item, shelf, "6", key="po:8:receipt:1")
    # then
    assert error.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert error.value.field == "idempotencyKey"
    assert "幂等键 po:8:receipt:1" in str(error.value)  # zh-hans, the default language
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("5")
    assert Posting.objects.filter(idempotency_key="po:8:receipt:1").count() == 1


def test_a_posting_made_before_fingerprints_keeps_its_key_alone(in_alpha):
    # given: a posting written before the fingerprint column existed
    item, shelf = make_item(), make_stock_location()
    first = receive(item, shelf, "5", key="legacy:1")
    Posting.objects.filter(pk=first.pk).update(fingerprint="")
    # when
    again = receive(item, shelf, "9", key="legacy:1")
    # then
    assert again.pk == first.pk
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("5")


def test_a_posting_writes_moves_levels_valuation_event_and_outbox_together(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    # when
    posting = receive(item, shelf, "4", unit_cost="2.5", key="po:9:receipt:1")
    # then
    move = StockMove.objects.get(posting=posting)
    assert (move.quantity, move.unit_cost, move.value, move.item_average_cost) == (
        Decimal("4"),
        Decimal("2.5"),
        Decimal("10"),
        Decimal("2.5"),
    )
    assert StockLevel.objects.get(item=item, location=shelf).on_hand == Decimal("4")
    valuation = ItemValuation.objects.get(item=item)
    assert (valuation.on_hand, valuation.inventory_value, valuation.last_occurred_at) == (
        Decimal("4"),
        Decimal("10"),
        posting.occurred_at,
    )
    event = DomainEvent.objects.get(event_type="stock.posted", subject_id=posting.pk)
    assert event.payload == {
        "idempotency_key": "po:9:receipt:1",
        "document_type": "receipt",
        "document_id": None,
        "reverses": None,
        "lines": 1,
    }
    assert OutboxMessage.objects.filter(event=event).count() == 1


def test_backdated_issue_books_the_adjustment_against_its_move(in_alpha):
    # given: the average was 2 a week ago and is 3 now
    item, shelf = make_item(), make_stock_location()
    customer = get_virtual_location(LocationKind.CUSTOMER)
    now = timezone.now()
    receive(item, shelf, "10", unit_cost="2", occurred_at=now - timedelta(days=7))
    receive(item, shelf, "10", unit_cost="4", occurred_at=now - timedelta(days=1))
    # when: an issue that happened 3 days ago is posted today at today's average
    posting = post_moves(
        [MoveLine(item.pk, shelf.pk, customer.pk, Decimal("5"))],
        idempotency_key="late-issue",
        occurred_at=now - timedelta(days=3),
    )
    # then
    adjustment = ValuationAdjustment.objects.get(posting=posting)
    assert adjustment.move_id == StockMove.objects.get(posting=posting).pk
    assert adjustment.historical_unit_cost == Decimal("2")
    assert adjustment.posted_unit_cost == Decimal("3")
    assert adjustment.amount == Decimal("-5")


def test_statements_per_posting_do_not_grow_with_lines(in_alpha):
    # given
    supplier = get_virtual_location(LocationKind.SUPPLIER)
    shelf = make_stock_location()
    few = [make_item() for _ in range(2)]
    many = [make_item() for _ in range(200)]

    def post(items: list, key: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            post_moves(
                [MoveLine(i.pk, supplier.pk, shelf.pk, Decimal("3"), unit_cost=Decimal("1")) for i in items], idempotency_key=key
            )
        return len(queries)

    # when
    small, large = post(few, "rt:few"), post(many, "rt:many")
    # then: the prepare call and the write statement (the test's transaction makes BEGIN/COMMIT savepoints)
    assert small == large
    assert large <= 4
    assert StockMove.objects.filter(posting__idempotency_key="rt:many").count() == 200
