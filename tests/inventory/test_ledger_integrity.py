"""The ledger's history is fixed: moves cannot change, backdated postings leave a correction, not a repost."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.inventory.models import AppendOnlyError, ItemValuation, StockMove, ValuationAdjustment


def test_a_stock_move_cannot_be_updated_or_deleted(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    move = StockMove.objects.get(posting=receive(item, shelf, "5"))
    # when / then: the model refuses
    with pytest.raises(AppendOnlyError):
        move.quantity = Decimal("50")
        move.save()
    with pytest.raises(AppendOnlyError):
        move.delete()
    with pytest.raises(AppendOnlyError):
        StockMove.objects.filter(pk=move.pk).update(quantity=Decimal("1"))
    # and the database refuses SQL that bypasses the ORM
    for sql in ("UPDATE inventory_stockmove SET quantity = 1 WHERE id = %s", "DELETE FROM inventory_stockmove WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [move.pk])
    assert StockMove.objects.get(pk=move.pk).quantity == Decimal("5")


def test_backdated_issue_is_valued_now_and_books_the_difference(in_alpha):
    # given: 10 at 10, then 10 at 20 (average 15)
    item, shelf = make_item(), make_stock_location()
    now = timezone.now()
    receive(item, shelf, "10", unit_cost="10", occurred_at=now - timedelta(days=10))
    receive(item, shelf, "10", unit_cost="20", occurred_at=now - timedelta(days=1))
    earlier_moves = list(StockMove.objects.filter(item_id=item.pk).values_list("pk", "value", "unit_cost"))
    # when an issue that happened 5 days ago (average then: 10) is posted today
    posting = issue(item, shelf, "4", occurred_at=now - timedelta(days=5))
    # then it is valued at today's average, the difference is booked, and history is untouched
    move = StockMove.objects.get(posting=posting)
    assert move.unit_cost == Decimal("15")
    adjustment = ValuationAdjustment.objects.get(posting=posting)
    assert adjustment.historical_unit_cost == Decimal("10")
    assert adjustment.amount == Decimal("-20")
    assert list(StockMove.objects.filter(item_id=item.pk).exclude(pk=move.pk).values_list("pk", "value", "unit_cost")) == (
        earlier_moves
    )
    assert ItemValuation.objects.get(item=item).inventory_value == Decimal("240")
