"""Signals: idempotent ingest, the HTTP weather adapter against a local server, POS velocity, freshness."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from core.events.models import DomainEvent
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.signals.exceptions import InvalidSignalRow, ProviderUnavailable
from core.signals.models import DeliveryDemandIndex, WeatherDay
from core.signals.providers import providers, sales_velocity
from core.signals.services import HttpWeatherSource, ingest_delivery_demand, ingest_weather

pytestmark = pytest.mark.usefixtures("in_alpha")


def test_weather_ingest_is_idempotent_and_records_an_event() -> None:
    # given
    store = make_stock_location()
    rows = [
        {"location": store.code, "date": "2026-11-26", "precipitation_probability": "0.8", "temperature_c": "4.5"},
        {"location": store.code, "date": "2026-11-27", "precipitation_probability": "0.1", "temperature_c": "7"},
    ]

    # when: the same batch twice, then a corrected value
    ingest_weather(rows)
    ingest_weather(rows)
    ingest_weather([{**rows[0], "precipitation_probability": "0.3"}])

    # then
    assert WeatherDay.objects.filter(location=store).count() == 2
    assert WeatherDay.objects.get(location=store, date=date(2026, 11, 26)).precipitation_probability == D("0.3")
    assert DomainEvent.objects.filter(event_type="signal.weather_updated").count() == 3
    assert providers()["weather"].freshness().age() < timedelta(minutes=1)


def test_a_bad_weather_row_stores_nothing() -> None:
    # given
    store = make_stock_location()
    rows = [
        {"location": store.code, "date": "2026-11-26", "precipitation_probability": "0.5", "temperature_c": "4"},
        {"location": store.code, "date": "2026-11-27", "precipitation_probability": "1.5", "temperature_c": "4"},
    ]

    # when / then
    with pytest.raises(InvalidSignalRow, match="Row 2"):
        ingest_weather(rows)
    assert not WeatherDay.objects.filter(location=store).exists()


def test_http_weather_adapter_fetches_json_from_the_configured_provider() -> None:
    # given: a provider on 127.0.0.1 answering with rows for our store
    store = make_stock_location()
    payload = json.dumps(
        {"rows": [{"location": store.code, "date": "2026-12-01", "precipitation_probability": 0.9, "temperature_c": -2}]}
    ).encode()

    class Provider(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # when
        written = HttpWeatherSource(f"http://127.0.0.1:{server.server_port}/forecast").sync()
    finally:
        server.shutdown()
        server.server_close()

    # then
    assert written == 1
    day = WeatherDay.objects.get(location=store)
    assert (day.precipitation_probability, day.temperature_c, day.source) == (D("0.9"), D("-2"), "http")
    with pytest.raises(ProviderUnavailable):
        HttpWeatherSource(f"http://127.0.0.1:{server.server_port}/gone", timeout=1).fetch()


def test_delivery_demand_ingest_is_keyed_by_platform_area_and_time() -> None:
    # given
    at = timezone.now().replace(microsecond=0)
    rows = [
        {"platform": "meituan", "area": "徐汇", "observed_at": at.isoformat(), "value": "120"},
        {"platform": "meituan", "area": "徐汇", "observed_at": (at - timedelta(hours=1)).isoformat(), "value": "80"},
        {"platform": "eleme", "area": "徐汇", "observed_at": at.isoformat(), "value": "60"},
    ]

    # when
    ingest_delivery_demand(rows)
    ingest_delivery_demand([{**rows[0], "value": "130"}])
    daily = providers()["delivery_demand"].values(
        item_id=None, location_id=None, start=timezone.localdate() - timedelta(days=1), end=timezone.localdate()
    )

    # then
    assert DeliveryDemandIndex.objects.count() == 3
    assert DeliveryDemandIndex.objects.get(platform="meituan", observed_at=at).value == D("130")
    assert sum(len(v.values) for v in daily) >= 2
    with pytest.raises(InvalidSignalRow):
        ingest_delivery_demand([{"platform": "meituan", "area": "x", "observed_at": "2026-11-25T10:00", "value": "1"}])


def test_pos_velocity_counts_the_last_minutes_of_sales() -> None:
    # given: 6 sold 10 minutes ago and 4 sold 2 hours ago
    item = make_item()
    store = make_stock_location()
    receive(item, store, 20)
    now = timezone.now()
    issue(item, store, 6, occurred_at=now - timedelta(minutes=10))
    issue(item, store, 4, occurred_at=now - timedelta(hours=2))

    # when / then: 6 in the last 30 minutes = 12 an hour; 10 over the last 3 hours ≈ 3.3333 an hour
    assert sales_velocity(item.pk, store.pk, minutes=30, now=now) == D("12.0000")
    assert sales_velocity(item.pk, store.pk, minutes=180, now=now) == D("3.3333")
    today = timezone.localdate()
    daily = providers()["pos_velocity"].values(item_id=item.pk, location_id=store.pk, start=today - timedelta(days=1), end=today)
    assert sum(v.values["units"] for v in daily) == D("10")
    assert providers()["pos_velocity"].freshness().age() < timedelta(minutes=5)


def test_holiday_provider_marks_national_day_and_double_11() -> None:
    # when
    days = providers()["holidays"].values(item_id=None, location_id=None, start=date(2026, 10, 1), end=date(2026, 11, 11))

    # then
    by_day = {v.day: v.values for v in days}
    assert by_day[date(2026, 10, 1)]["holiday"] is True
    assert by_day[date(2026, 11, 11)]["festival"] == "double_11"
