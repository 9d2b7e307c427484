"""Inventory position adds what other apps know (open orders, backorders) in one query per source."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.inventory import selectors
from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.position import (
    inventory_positions,
    position_sources,
    register_position_source,
    unregister_position_source,
)
from core.inventory.services import reserve_stock


def test_registered_sources_count_toward_position_in_one_query_each(in_alpha):
    # given 30 items on one shelf, an open-order source (+4 each) and a backorder source (−1 each)
    shelf = make_stock_location()
    items = [make_item() for _ in range(30)]
    for item in items:
        receive(item, shelf, "10")
    reserve_stock(items[0].pk, shelf.pk, Decimal("3"), reference="so:pos")
    register_position_source("test_open_po", lambda item_ids, location_ids: {(i, shelf.pk): Decimal("4") for i in item_ids})
    register_position_source("test_backorders", lambda item_ids, location_ids: {(i, shelf.pk): Decimal("-1") for i in item_ids})
    try:
        # when
        with CaptureQueriesContext(connection) as queries:
            positions = inventory_positions([(item.pk, shelf.pk) for item in items])
        single = selectors.inventory_position(items[1].pk, shelf.pk)
        app_sources = len(position_sources()) - 2  # purchasing and sales register theirs at start-up
    finally:
        unregister_position_source("test_open_po")
        unregister_position_source("test_backorders")
    # then
    assert positions[(items[0].pk, shelf.pk)] == Decimal("10") - 3 + 4 - 1
    assert positions[(items[5].pk, shelf.pk)] == Decimal("13")
    assert single == Decimal("13")
    # levels + transit, and one per source that reads the database (ours here read none)
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 2 + app_sources
