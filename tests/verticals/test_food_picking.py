"""FEFO picking on the phone pick page: the first lot to expire must be taken first; held lots are not offered."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.models import Lot, StockLevel
from tenants.accounts.roles import Role
from tests.platform.graphql_support import client_as
from verticals.food import picking, recall
from verticals.food.exceptions import NotFefo


def _shelf():
    milk = make_item(lot_tracked=True)
    shelf, staging = make_stock_location(), make_stock_location()
    today = date.today()
    receive(milk, shelf, "10", lot_code="LATE", expiry_date=today + timedelta(days=9))
    receive(milk, shelf, "10", lot_code="SOON", expiry_date=today + timedelta(days=2))
    return milk, shelf, staging


def test_a_later_lot_is_refused_and_the_first_to_expire_is_picked(in_alpha):
    # given
    milk, shelf, staging = _shelf()
    # when
    with pytest.raises(NotFefo) as refused:
        picking.pick_lot(
            item_id=milk.pk, location_id=shelf.pk, to_location_id=staging.pk, lot_code="LATE", quantity=Decimal("2"), actor="p"
        )
    picking.pick_lot(
        item_id=milk.pk, location_id=shelf.pk, to_location_id=staging.pk, lot_code="SOON", quantity=Decimal("2"), actor="p"
    )
    # then
    assert "SOON" in str(refused.value)
    assert StockLevel.objects.get(item=milk, location=staging).on_hand == Decimal("2")
    assert [row.code for row in picking.fefo_lots(milk.pk, shelf.pk)] == ["SOON", "LATE"]


def test_a_held_lot_is_not_offered_so_the_next_one_is_first(in_alpha):
    # given
    milk, shelf, staging = _shelf()
    the_recall, _ = recall.start_recall(Lot.objects.get(item=milk, code="SOON"), actor="qa")
    recall.quarantine(the_recall, actor="qa")
    # when
    picking.pick_lot(
        item_id=milk.pk, location_id=shelf.pk, to_location_id=staging.pk, lot_code="LATE", quantity=Decimal("1"), actor="p"
    )
    # then
    assert [row.code for row in picking.fefo_lots(milk.pk, shelf.pk)] == ["LATE"]


def test_the_phone_pick_page_lists_lots_in_fefo_order_and_refuses_a_later_scan(alpha):
    # given
    with schema_context(alpha.schema):
        milk, shelf, staging = _shelf()
    clerk = client_as(alpha, Role.CLERK)
    form = {"location": shelf.pk, "item_sku": milk.sku, "to_location": staging.pk}
    # when
    listing = clerk.get("/food/pick/", form).content.decode()
    refused = clerk.post("/food/pick/", {**form, "lot_code": "LATE", "quantity": "1"}, follow=True).content.decode()
    # then
    assert listing.index("SOON") < listing.index("LATE")
    assert "NOT_FEFO" in refused
    with schema_context(alpha.schema):
        assert not StockLevel.objects.filter(item=milk, location=staging).exclude(on_hand=0).exists()
