"""The core pack's rainy-weekend rule end to end: a weather ingest fires it, replenishment feels it.

Weather ingested for a store → `signal.weather_updated` → the rule judges each location-day (rain ≥ 60% on a
weekend) → one SafetyStockAdjustment per matching day, even when the event is delivered twice → the next
replenishment proposal for a leafy-greens item carries 15% more safety stock during the period only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.catalog.models import Category
from core.events.models import DomainEvent, OutboxMessage
from core.events.webhooks import process_outbox
from core.inventory.factories import make_item
from core.partners.services import create_supplier
from core.planning.models import ReplenishmentProposal, SafetyStockAdjustment
from core.planning.services import reject_proposals, run_replenishment
from core.rules.events import evaluate_domain_event
from core.rules.models import Rule, RuleActionLog
from core.rules.packs import load_rule_pack
from core.rules.services import activate_rule
from core.signals.services import ingest_weather
from tests.planning.factories import make_store_location, source_from, write_forecast


def _next_saturday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def _weather_event() -> DomainEvent:
    return DomainEvent.objects.filter(event_type="signal.weather_updated").latest("pk")


@pytest.fixture
def rainy_rule(in_alpha) -> Rule:
    load_rule_pack("food")
    return activate_rule(Rule.objects.get(pack_entry__key="rainy_weekend_leafy_greens"))


@pytest.fixture
def shop(in_alpha):
    """A store selling spinach (叶菜 › 菠菜) and rice (粮油), both out of stock and sourced from one supplier."""
    leafy = Category.objects.create(name="叶菜")
    spinach_kind = Category.objects.create(name="菠菜", parent=leafy)
    grain = Category.objects.create(name="粮油")
    store = make_store_location()
    supplier = create_supplier(code="SUP-VEG", name="蔬菜基地", declared_lead_time_days=2)
    spinach, rice = make_item(category_id=spinach_kind.pk), make_item(category_id=grain.pk)
    start = timezone.localdate() - dt.timedelta(days=1)
    for item in (spinach, rice):
        write_forecast(item, store, start, 60, "6", "10", "14")
        source_from(item, store, supplier=supplier)
    return store, spinach, rice


def _safety_stocks(run_key: str, day: dt.date) -> dict[int, Decimal]:
    run = run_replenishment(run_key=run_key, today=day)
    proposals = list(ReplenishmentProposal.objects.filter(run=run))
    reject_proposals([p.pk for p in proposals], actor="planner@example.com")  # the next run may propose again
    return {p.item_id: p.safety_stock for p in proposals}


def test_rain_on_a_weekend_raises_leafy_greens_safety_stock_15_percent_for_the_weekend(rainy_rule, shop):
    # given: rain on Friday (a weekday), rain on Saturday, a dry Sunday
    store, spinach, rice = shop
    saturday = _next_saturday(timezone.localdate())
    friday, sunday, monday = saturday - dt.timedelta(days=1), saturday + dt.timedelta(days=1), saturday + dt.timedelta(days=2)
    ingest_weather(
        [
            {"location_id": store.pk, "date": friday, "precipitation_probability": "0.9", "temperature_c": "12"},
            {"location_id": store.pk, "date": saturday, "precipitation_probability": "0.8", "temperature_c": "11"},
            {"location_id": store.pk, "date": sunday, "precipitation_probability": "0.3", "temperature_c": "13"},
        ]
    )

    # when: the event reaches the rules engine twice (a redelivery)
    first = evaluate_domain_event(_weather_event())
    second = evaluate_domain_event(_weather_event())

    # then: one adjustment, for Saturday and Sunday, at this store
    assert len(first) == 3 and [len(r.matched) for r in first] == [0, 1, 0]
    assert [a.status for r in second for a in r.actions] == ["duplicate"]
    adjustment = SafetyStockAdjustment.objects.get()
    assert (adjustment.category_name, adjustment.percent) == ("叶菜", Decimal("15"))
    assert (adjustment.starts_on, adjustment.ends_on, adjustment.location_id) == (saturday, sunday, store.pk)
    assert adjustment.rule_version_id == rainy_rule.current_version_id

    # and replenishment: +15% for spinach on the weekend only, rice never
    before, during, after = (_safety_stocks(key, day) for key, day in (("fri", friday), ("sat", saturday), ("mon", monday)))
    assert before[spinach.pk] > 0
    assert abs(during[spinach.pk] - before[spinach.pk] * Decimal("1.15")) < Decimal("0.001")
    assert after[spinach.pk] == before[spinach.pk]
    assert before[rice.pk] == during[rice.pk] == after[rice.pk]
    assert "×1.15" in ReplenishmentProposal.objects.get(run__run_key="sat", item=spinach).reason


def test_rain_on_a_weekday_or_a_dry_weekend_changes_nothing(rainy_rule, shop):
    # given: rain only on a weekday, and a dry weekend
    store, _, _ = shop
    saturday = _next_saturday(timezone.localdate())
    ingest_weather(
        [
            {
                "location_id": store.pk,
                "date": saturday - dt.timedelta(days=2),
                "precipitation_probability": "0.95",
                "temperature_c": "9",
            },
            {"location_id": store.pk, "date": saturday, "precipitation_probability": "0.59", "temperature_c": "9"},
        ]
    )

    # when
    results = evaluate_domain_event(_weather_event())

    # then
    assert [r.matched for r in results] == [[], []]
    assert not SafetyStockAdjustment.objects.exists()


def test_an_adjustment_at_one_store_leaves_the_other_stores_alone(rainy_rule, shop):
    # given: rain on Saturday at the shop's store only; spinach is sourced at a second store too
    store, spinach, _ = shop
    other = make_store_location()
    write_forecast(spinach, other, timezone.localdate() - dt.timedelta(days=1), 60, "6", "10", "14")
    source_from(spinach, other, supplier=create_supplier(code="SUP-VEG2", name="蔬菜二", declared_lead_time_days=2))
    saturday = _next_saturday(timezone.localdate())
    ingest_weather([{"location_id": store.pk, "date": saturday, "precipitation_probability": "0.7", "temperature_c": "10"}])
    evaluate_domain_event(_weather_event())

    # when
    run = run_replenishment(run_key="sat-both", today=saturday)

    # then
    here = ReplenishmentProposal.objects.get(run=run, item=spinach, location=store)
    there = ReplenishmentProposal.objects.get(run=run, item=spinach, location=other)
    assert abs(here.safety_stock - there.safety_stock * Decimal("1.15")) < Decimal("0.001")


def test_a_category_the_tenant_does_not_have_is_a_logged_failure(rainy_rule, in_alpha):
    # given: no 叶菜 category in this tenant
    store = make_store_location()
    saturday = _next_saturday(timezone.localdate())
    ingest_weather([{"location_id": store.pk, "date": saturday, "precipitation_probability": "0.7", "temperature_c": "10"}])

    # when
    [result] = evaluate_domain_event(_weather_event())

    # then
    assert result.actions[0].status == "failed" and "叶菜" in result.actions[0].detail
    assert RuleActionLog.objects.get(action_type="adjust_safety_stock").status == "failed"
    assert not SafetyStockAdjustment.objects.exists()


def test_an_inactive_rule_does_nothing(in_alpha, shop):
    # given: the pack as shipped (the weather rule off)
    load_rule_pack("food")
    store, _, _ = shop
    ingest_weather(
        [
            {
                "location_id": store.pk,
                "date": _next_saturday(timezone.localdate()),
                "precipitation_probability": "0.9",
                "temperature_c": "8",
            }
        ]
    )

    # when / then
    assert evaluate_domain_event(_weather_event()) == []
    assert not SafetyStockAdjustment.objects.exists()


def test_the_outbox_drain_hands_the_weather_event_to_the_rules_engine(committed_tenant):
    # given: a committed tenant, so the drain runs as the worker runs it (outside any transaction)
    from django_tenants.utils import schema_context

    with schema_context(committed_tenant.schema):
        load_rule_pack("food")
        activate_rule(Rule.objects.get(pack_entry__key="rainy_weekend_leafy_greens"))
        Category.objects.create(name="叶菜")
        store = make_store_location()
        saturday = _next_saturday(timezone.localdate())
        ingest_weather([{"location_id": store.pk, "date": saturday, "precipitation_probability": "0.8", "temperature_c": "9"}])

        # when: drained, then the message is put back and drained again (at-least-once delivery)
        process_outbox()
        OutboxMessage.objects.filter(event__event_type="signal.weather_updated").update(processed_at=None)
        process_outbox()

        # then
        adjustment = SafetyStockAdjustment.objects.get()
        assert (adjustment.starts_on, adjustment.location_id) == (saturday, store.pk)
        assert not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def test_a_dry_run_of_the_weather_rule_names_the_location_days_it_would_have_touched(rainy_rule, shop):
    # given: rain forecast for last week's Saturday and a weekday before it, at one store
    from core.rules.dryrun import dry_run

    store, _, _ = shop
    saturday = _next_saturday(timezone.localdate()) - dt.timedelta(days=7)
    ingest_weather(
        [
            {
                "location_id": store.pk,
                "date": saturday - dt.timedelta(days=2),
                "precipitation_probability": "0.9",
                "temperature_c": "9",
            },
            {"location_id": store.pk, "date": saturday, "precipitation_probability": "0.7", "temperature_c": "9"},
            {
                "location_id": store.pk,
                "date": saturday + dt.timedelta(days=1),
                "precipitation_probability": "0.1",
                "temperature_c": "9",
            },
        ]
    )

    DomainEvent.objects.filter(event_type="signal.weather_updated").update(  # it was ingested as a forecast back then
        occurred_at=timezone.now() - dt.timedelta(days=12)
    )

    # when
    report = dry_run(rainy_rule, days=30)

    # then: three location-days judged, only the rainy Saturday touched, and nothing written
    assert (report.evaluated, report.matched) == (3, 1)
    assert [d.subject_id for d in report.documents] == [f"{store.pk}:{saturday.isoformat()}"]
    assert report.documents[0].number == f"{store.code} {saturday.isoformat()}"
    assert "叶菜" in report.actions[0]
    assert not SafetyStockAdjustment.objects.exists() and not RuleActionLog.objects.exists()


def test_a_backfill_of_old_weather_fires_nothing(rainy_rule, shop):
    # given: last month's rainy Saturday, ingested today as history
    store, _, _ = shop
    old_saturday = _next_saturday(timezone.localdate()) - dt.timedelta(days=35)
    ingest_weather([{"location_id": store.pk, "date": old_saturday, "precipitation_probability": "0.9", "temperature_c": "9"}])

    # when / then
    assert evaluate_domain_event(_weather_event()) == []
    assert not SafetyStockAdjustment.objects.exists()
