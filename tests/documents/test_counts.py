"""Cycle counts: book quantities frozen, adjustments posted with reason codes, record accuracy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.counts.exceptions import InvalidReason, UncountedLines
from core.counts.selectors import inventory_record_accuracy
from core.counts.services import complete_cycle_count, create_cycle_count, record_count, start_counting
from core.inventory import selectors
from core.inventory.factories import issue
from core.inventory.models import Posting
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tests.documents.support import CLERK, make_item, make_stock_location, receive


def test_count_posts_differences_with_reason_codes(in_alpha):
    # given
    shelf = make_stock_location()
    rice, oil, salt = make_item(), make_item(), make_item()
    receive(rice, shelf, "10")
    receive(oil, shelf, "5")
    receive(salt, shelf, "8")
    count = create_cycle_count(location=shelf, actor=CLERK)
    start_counting(count, actor=CLERK)
    lines = {line.item_id: line for line in count.lines.all()}
    # when
    record_count(lines[rice.pk], Decimal("10"), actor=CLERK)
    record_count(lines[oil.pk], Decimal("3"), actor=CLERK, reason="damage")
    record_count(lines[salt.pk], Decimal("9"), actor=CLERK)
    complete_cycle_count(count, actor=CLERK)
    # then
    assert selectors.on_hand(oil.pk, shelf.pk) == Decimal("3")
    assert selectors.on_hand(salt.pk, shelf.pk) == Decimal("9")
    assert set(Posting.objects.filter(document_type="cycle_count", document_id=count.pk).values_list("reason", flat=True)) == {
        "damage",
        "found",
    }
    loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
    damaged = selectors.stock_moves(item_id=oil.pk, document_type="cycle_count").get()
    assert (damaged.from_location_id, damaged.to_location_id, damaged.quantity) == (shelf.pk, loss.pk, Decimal("2"))
    assert inventory_record_accuracy(count) == Decimal("0.3333")
    count.refresh_from_db()
    assert count.state == "completed" and count.completed_at is not None


def test_stock_moving_during_the_count_is_not_a_difference(in_alpha):
    # given
    shelf, item = make_stock_location(), make_item()
    receive(item, shelf, "10")
    count = create_cycle_count(location=shelf, actor=CLERK, item_ids=[item.pk])
    start_counting(count, actor=CLERK)
    line = count.lines.get()
    issue(item, shelf, "2")  # a sale ships while the count is open
    # when
    record_count(line, Decimal("8"), actor=CLERK)
    complete_cycle_count(count, actor=CLERK)
    # then
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("8")
    assert inventory_record_accuracy(count) == Decimal("1.0000")


def test_count_cannot_complete_with_uncounted_lines_or_a_wrong_reason(in_alpha):
    # given
    shelf, item = make_stock_location(), make_item()
    receive(item, shelf, "4")
    count = create_cycle_count(location=shelf, actor=CLERK)
    start_counting(count, actor=CLERK)
    # when / then
    with pytest.raises(UncountedLines):
        complete_cycle_count(count, actor=CLERK)
    record_count(count.lines.get(), Decimal("6"), actor=CLERK, reason="damage")
    with pytest.raises(InvalidReason):
        complete_cycle_count(count, actor=CLERK)
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("4")
