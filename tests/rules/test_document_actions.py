"""The near-expiry donation rule moves a lot's free stock to the donation location, once per event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from core.inventory.models import StockLevel, StockMove
from core.inventory.selectors import on_hand
from core.inventory.services import reserve_stock
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from core.rules.evaluator import evaluate
from core.rules.models import Rule
from core.rules.packs import load_rule_pack
from core.rules.services import activate_rule
from tests.documents.support import make_item, make_stock_location, receive


def test_a_near_expiry_lot_is_donated_once_even_when_the_event_is_delivered_twice(in_alpha):
    # given
    load_rule_pack("food")
    activate_rule(Rule.objects.get(pack_entry__key="near_expiry_donation"))
    item, shelf, store = make_item(lot_tracked=True), make_stock_location(), make_stock_location()
    expiry = timezone.localdate() + dt.timedelta(days=2)
    receive(item, shelf, "12", lot_code="L-NEAR", expiry_date=expiry)
    receive(item, store, "5", lot_code="L-NEAR", expiry_date=expiry)
    lot = StockLevel.objects.get(location=shelf, item=item).lot
    reserve_stock(item.pk, shelf.pk, Decimal("2"), reference="so-1")
    context = {"lot": {"id": lot.pk, "days_to_expiry": 2}}

    # when
    first = evaluate("lot.near_expiry", context, lot, "near-expiry:1", subject_type="lot", subject_id=str(lot.pk))
    second = evaluate("lot.near_expiry", context, lot, "near-expiry:1", subject_type="lot", subject_id=str(lot.pk))

    # then
    assert [a.status for a in first.actions] == ["done"]
    assert [a.status for a in second.actions] == ["duplicate"]
    assert on_hand(item.pk, shelf.pk) == Decimal("2")  # the reserved part stays for its order
    assert on_hand(item.pk, store.pk) == Decimal("0")
    donated = StockMove.objects.filter(to_location=get_virtual_location(LocationKind.DONATION), lot=lot)
    assert donated.aggregate(total=Sum("quantity"))["total"] == Decimal("15")


def test_a_lot_far_from_expiry_stays_where_it_is(in_alpha):
    # given
    load_rule_pack("food")
    activate_rule(Rule.objects.get(pack_entry__key="near_expiry_donation"))
    item, shelf = make_item(lot_tracked=True), make_stock_location()
    receive(item, shelf, "12", lot_code="L-FAR", expiry_date=timezone.localdate() + dt.timedelta(days=40))
    lot = StockLevel.objects.get(location=shelf, item=item).lot

    # when
    result = evaluate("lot.near_expiry", {"lot": {"id": lot.pk, "days_to_expiry": 40}}, lot, "near-expiry:2")

    # then
    assert result.matched == []
    assert on_hand(item.pk, shelf.pk) == Decimal("12")


def test_the_daily_near_expiry_event_fires_the_donation_rule_once(in_alpha):
    # given: a lot two days from expiry with free stock, and one forty days away
    from core.events.models import DomainEvent
    from core.rules.events import evaluate_domain_event
    from core.rules.lots import record_near_expiry_lots

    load_rule_pack("food")
    activate_rule(Rule.objects.get(pack_entry__key="near_expiry_donation"))
    item, shelf = make_item(lot_tracked=True), make_stock_location()
    today = timezone.localdate()
    receive(item, shelf, "9", lot_code="L-SOON", expiry_date=today + dt.timedelta(days=2))
    receive(item, shelf, "4", lot_code="L-LATER", expiry_date=today + dt.timedelta(days=40))

    # when: the daily job runs twice, and its event reaches the rules engine twice
    recorded = [record_near_expiry_lots(today), record_near_expiry_lots(today)]
    event = DomainEvent.objects.get(event_type="lot.near_expiry")
    first, second = evaluate_domain_event(event), evaluate_domain_event(event)

    # then: one event (for L-SOON), its lot donated once, the later lot untouched
    assert recorded == [1, 0] and event.payload["code"] == "L-SOON" and event.payload["days_to_expiry"] == 2
    assert [a.status for r in first for a in r.actions] == ["done"]
    assert [a.status for r in second for a in r.actions] == ["duplicate"]
    donated = StockMove.objects.filter(to_location=get_virtual_location(LocationKind.DONATION))
    assert donated.aggregate(total=Sum("quantity"))["total"] == Decimal("9")
    assert on_hand(item.pk, shelf.pk) == Decimal("4")
