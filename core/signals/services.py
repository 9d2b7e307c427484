"""Signal ingest: bulk, idempotent upserts of delivery-platform demand, weather and market prices; the HTTP weather adapter."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.catalog.models import Item
from core.events.services import record_event
from core.locations.models import Location
from core.signals.exceptions import InvalidSignalRow, ProviderUnavailable
from core.signals.models import DeliveryDemandIndex, MarketPrice, WeatherDay

ONE = Decimal("1")


def _decimal(row: Mapping[str, Any], key: str, index: int) -> Decimal:
    try:
        return Decimal(str(row[key]))
    except (KeyError, InvalidOperation) as error:
        raise InvalidSignalRow(f"Row {index + 1}: `{key}` must be a number.") from error


def _when(value: Any, index: int) -> datetime:
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value or ""))
    if parsed is None or timezone.is_naive(parsed):
        raise InvalidSignalRow(f"Row {index + 1}: `observed_at` must be an ISO time with its zone.")
    return parsed


def _day(value: Any, index: int) -> date:
    parsed = value if isinstance(value, date) else parse_date(str(value or ""))
    if parsed is None:
        raise InvalidSignalRow(f"Row {index + 1}: `date` must be YYYY-MM-DD.")
    return parsed


@transaction.atomic
def ingest_delivery_demand(rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert rows {platform, area, observed_at, value, location_id?} keyed by (platform, area, observed_at).

    The whole batch is validated first: one bad row stores nothing. Returns the number of rows written."""
    records = []
    for index, row in enumerate(rows):
        platform, area = str(row.get("platform", "")).strip(), str(row.get("area", "")).strip()
        if not platform or not area:
            raise InvalidSignalRow(f"Row {index + 1}: `platform` and `area` are required.")
        records.append(
            DeliveryDemandIndex(
                platform=platform,
                area=area,
                observed_at=_when(row.get("observed_at"), index),
                value=_decimal(row, "value", index),
                location_id=row.get("location_id"),
                updated_at=timezone.now(),
            )
        )
    DeliveryDemandIndex.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=("platform", "area", "observed_at"),
        update_fields=("value", "location", "updated_at"),
        batch_size=1000,
    )
    return len(records)


@transaction.atomic
def ingest_weather(rows: Iterable[Mapping[str, Any]], *, source: str = "ingest") -> int:
    """Upsert rows {location (code) or location_id, date, precipitation_probability (0–1), temperature_c}
    keyed by (location, date), then record one `signal.weather_updated` event for the batch."""
    rows = list(rows)
    codes = {str(row["location"]) for row in rows if "location" in row}
    by_code = dict(Location.objects.filter(code__in=codes).values_list("code", "pk"))
    records = []
    for index, row in enumerate(rows):
        location_id = row.get("location_id") or by_code.get(str(row.get("location", "")))
        if location_id is None:
            raise InvalidSignalRow(f"Row {index + 1}: unknown location {row.get('location')!r}.")
        probability = _decimal(row, "precipitation_probability", index)
        if not 0 <= probability <= ONE:
            raise InvalidSignalRow(f"Row {index + 1}: `precipitation_probability` lies between 0 and 1.")
        records.append(
            WeatherDay(
                location_id=location_id,
                date=_day(row.get("date"), index),
                precipitation_probability=probability,
                temperature_c=_decimal(row, "temperature_c", index),
                source=source,
                updated_at=timezone.now(),
            )
        )
    WeatherDay.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=("location", "date"),
        update_fields=("precipitation_probability", "temperature_c", "source", "updated_at"),
        batch_size=1000,
    )
    if records:
        days = sorted(record.date for record in records)
        record_event(
            "signal.weather_updated",
            "weather",
            0,
            payload={
                "rows": len(records),
                "source": source,
                "locations": sorted({r.location_id for r in records}),
                "from": days[0].isoformat(),
                "to": days[-1].isoformat(),
            },
        )
    return len(records)


def _item_ids(rows: list[Mapping[str, Any]]) -> dict[str, int]:
    skus = {str(row["item"]) for row in rows if "item" in row}
    return dict(Item.objects.filter(sku__in=skus).values_list("sku", "pk"))


@transaction.atomic
def ingest_market_prices(rows: Iterable[Mapping[str, Any]], *, source: str = "ingest") -> int:
    """Upsert rows {item (SKU) or item_id, date, price (> 0), currency?} keyed by (item, date), then record one
    `signal.market_price_updated` event for the batch. One bad row stores nothing."""
    rows = list(rows)
    by_sku = _item_ids(rows)
    given_ids = [row["item_id"] for row in rows if isinstance(row.get("item_id"), int)]
    known = set(Item.objects.filter(pk__in=given_ids).values_list("pk", flat=True))
    records: dict[tuple[int, date], MarketPrice] = {}
    for index, row in enumerate(rows):
        item_id = row.get("item_id") if row.get("item_id") in known else by_sku.get(str(row.get("item", "")))
        if item_id is None:
            raise InvalidSignalRow(f"Row {index + 1}: unknown item {row.get('item', row.get('item_id'))!r}.")
        price = _decimal(row, "price", index)
        if not price.is_finite() or price <= 0:
            raise InvalidSignalRow(f"Row {index + 1}: `price` must be above zero.")
        currency = str(row.get("currency") or "CNY").upper()
        if len(currency) != 3 or not currency.isalpha():
            raise InvalidSignalRow(f"Row {index + 1}: `currency` is a three-letter code.")
        day = _day(row.get("date"), index)
        # The last row for an (item, day) wins, as a second ingest of it would.
        records[(item_id, day)] = MarketPrice(
            item_id=item_id, date=day, price=price, currency=currency, source=source, updated_at=timezone.now()
        )
    MarketPrice.objects.bulk_create(
        list(records.values()),
        update_conflicts=True,
        unique_fields=("item", "date"),
        update_fields=("price", "currency", "source", "updated_at"),
        batch_size=1000,
    )
    if records:
        days = sorted(day for _, day in records)
        record_event(
            "signal.market_price_updated",
            "market_price",
            0,
            payload={
                "rows": len(records),
                "source": source,
                "items": sorted({item_id for item_id, _ in records}),
                "from": days[0].isoformat(),
                "to": days[-1].isoformat(),
            },
        )
    return len(records)


class HttpWeatherSource:
    """Fetches weather rows as JSON from a provider (settings.WEATHER_PROVIDER_URL) and ingests them.

    The provider answers GET <url> with `[{"location": code, "date": ..., "precipitation_probability": ...,
    "temperature_c": ...}, ...]` or `{"rows": [...]}`. No call is made inside a transaction."""

    def __init__(self, url: str | None = None, *, timeout: float = 10.0) -> None:
        self.url = url if url is not None else getattr(settings, "WEATHER_PROVIDER_URL", "")
        self.timeout = timeout

    def fetch(self) -> list[dict[str, Any]]:
        if not self.url:
            raise ProviderUnavailable("WEATHER_PROVIDER_URL is not set.")
        if not self.url.startswith(("http://", "https://")):
            raise ProviderUnavailable("WEATHER_PROVIDER_URL must be an http(s) URL.")
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                body = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise ProviderUnavailable(f"The weather provider did not answer with JSON: {error}") from error
        rows = body.get("rows") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise ProviderUnavailable("The weather provider's answer holds no list of rows.")
        return rows

    def sync(self) -> int:
        return ingest_weather(self.fetch(), source="http")
