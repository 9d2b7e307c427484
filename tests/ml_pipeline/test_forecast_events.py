"""`forecast.updated`: the nightly forecast announces how far each item × location's P50 total moved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.storage import storages
from django.utils import timezone

from core.catalog.models import Item
from core.events.models import DomainEvent
from core.locations.models import Location
from core.planning.forecasting import refresh_forecasts
from core.planning.models import DemandForecast
from core.planning.uploads import upload_demand_history
from core.rules import services as rules
from core.rules.events import evaluate_domain_event
from core.rules.models import RuleNotification
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor


def test_one_event_per_pair_with_an_earlier_forecast_carrying_the_change_and_rules_read_it(in_alpha):
    # given: history up to yesterday for two items, and yesterday's forecast of 1 a day for the first item only
    today = timezone.localdate()
    code = make_catalogue(("A-1", "B-2"))
    history = sales_csv(("A-1", "B-2"), code, days=60, start=today - timedelta(days=60))
    upload = upload_demand_history(history, "h.csv", system_actor())
    first, location = Item.objects.get(sku="A-1"), Location.objects.get(code=code)
    DemandForecast.objects.bulk_create(
        DemandForecast(
            item=first,
            location=location,
            made_on=today - timedelta(days=1),
            forecast_date=today + timedelta(days=h),
            horizon_days=h + 2,
            p10=Decimal("1"),
            p50=Decimal("1"),
            p90=Decimal("1"),
        )
        for h in range(28)
    )
    rules.create_rule(
        name="forecast moved",
        trigger="forecast.updated",
        condition={"field": "forecast.change_pct", "op": "gt", "value": -100},
        actions=[{"type": "notify", "role": "manager", "message": "{item.sku} 预测变化 {forecast.change_pct}%"}],
    )

    # when: the nightly run, and a rerun the same day
    refresh_forecasts()
    refresh_forecasts()

    # then: one event, for the item that had an earlier forecast, with the change against 28 units
    event = DomainEvent.objects.get(event_type="forecast.updated")
    new_total = sum(r.p50 for r in DemandForecast.objects.filter(item=first, made_on=today))
    assert event.payload["item_id"] == first.pk and event.payload["location_id"] == location.pk
    assert Decimal(event.payload["p50_total"]) == new_total
    assert Decimal(event.payload["change_pct"]) == ((new_total - 28) / 28 * 100).quantize(Decimal("0.01"))
    # and a rule on the trigger reads the figure, once even when the event comes twice
    evaluate_domain_event(event)
    evaluate_domain_event(event)
    note = RuleNotification.objects.get()
    assert note.message == f"A-1 预测变化 {event.payload['change_pct']}%"
    storages["default"].delete(upload.storage_key)
