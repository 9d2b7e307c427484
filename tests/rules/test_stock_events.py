"""`stock.below_reorder_point`: recorded once per new replenishment proposal and judged by the rules engine."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.catalog.models import Category
from core.events.models import DomainEvent
from core.inventory.factories import make_item, receive
from core.partners.services import create_supplier
from core.planning.services import run_replenishment
from core.rules import services
from core.rules.events import evaluate_domain_event
from core.rules.models import RuleNotification
from tests.planning.factories import make_store_location, source_from, write_forecast

pytestmark = pytest.mark.usefixtures("in_alpha")


def _fresh_item_below_reorder_point(category: Category, code: str):
    today = timezone.localdate()
    item = make_item(category_id=category.pk)
    store = make_store_location(code)
    receive(item, store, 5)
    write_forecast(item, store, today, 30, "8", "10", "12")
    source_from(item, store, supplier=create_supplier(code=f"SUP-{code}", name="供应商", declared_lead_time_days=3))
    return item, store


def test_a_run_records_one_event_per_new_proposal_and_a_rerun_none() -> None:
    # given: two items below their reorder points
    fresh = Category.objects.create(name="鲜肉")
    first, store_a = _fresh_item_below_reorder_point(fresh, "ROP-A")
    second, store_b = _fresh_item_below_reorder_point(fresh, "ROP-B")

    # when: the nightly run, then a rerun while the proposals are still open
    run_replenishment(run_key="rop-1")
    run_replenishment(run_key="rop-2")

    # then
    events = DomainEvent.objects.filter(event_type="stock.below_reorder_point").order_by("pk")
    assert sorted((e.payload["item_id"], e.payload["location_id"]) for e in events) == sorted(
        [(first.pk, store_a.pk), (second.pk, store_b.pk)]
    )
    assert all(D(e.payload["inventory_position"]) < D(e.payload["reorder_point"]) for e in events)


def test_a_rule_on_the_trigger_matches_by_category_and_acts_once_per_event() -> None:
    # given: a rule that tells the store manager about fresh meat running low, and a dry-goods item also low
    fresh, dry = Category.objects.create(name="鲜肉"), Category.objects.create(name="干货")
    meat, _store = _fresh_item_below_reorder_point(fresh, "ROP-M")
    _fresh_item_below_reorder_point(dry, "ROP-D")
    services.create_rule(
        name="鲜肉缺货提醒",
        trigger="stock.below_reorder_point",
        condition={"field": "item.category", "op": "eq", "value": "鲜肉"},
        actions=[{"type": "notify", "role": "manager", "message": "{item.sku} 低于再订货点 {stock.reorder_point}"}],
    )
    run_replenishment(run_key="rop-rule")
    events = list(DomainEvent.objects.filter(event_type="stock.below_reorder_point"))

    # when: each event reaches the rules engine twice (at-least-once delivery)
    for event in events + events:
        evaluate_domain_event(event)

    # then: one notification, for the meat only, with the figures filled in
    note = RuleNotification.objects.get()
    assert note.message.startswith(f"{meat.sku} 低于再订货点 ")
    assert note.subject_type == "replenishment_proposal"
    assert note.message.rsplit(" ", 1)[1] != "{stock.reorder_point}"
