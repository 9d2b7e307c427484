"""Context roots the core documents give their rules: the sales order's customer, the purchase order's supplier
and the market prices of its items.

The roots load lazily, so a transition with no rule asking about the customer costs no extra query. Enum values
such as the customer's tier are compared without regard to case by the condition compiler, so the partners'
"vip" matches a rule's "VIP" with no mapping here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from core.events.models import DomainEvent
from core.rules.events import EventSubject, register_event_subjects
from core.rules.transitions import calendar_context, register_context_provider
from core.signals.models import WeatherDay
from core.signals.selectors import price_changes_pct


class LazyRoot(Mapping[str, Any]):
    """A context root whose values are read from the database the first time a rule asks for one."""

    def __init__(self, load: Callable[[], dict[str, Any]]) -> None:
        self._load = load
        self._values: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        if self._values is None:
            self._values = self._load()
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


def _customer_values(order: models.Model) -> dict[str, Any]:
    customer = getattr(order, "customer", None)
    if customer is None:
        return {}
    return {
        "tier": customer.tier,
        "name": customer.name,
        "credit_limit": customer.credit_limit,
    }


def _supplier_values(order: models.Model) -> dict[str, Any]:
    supplier = getattr(order, "supplier", None)
    return {"name": supplier.name} if supplier is not None else {}


def _market_values(order: models.Model) -> dict[str, Any]:
    """The largest day-over-day price move among the order's items, as a size (a 4% fall reads 4)."""
    item_ids = order.lines.values_list("item_id", flat=True) if order.pk is not None else []  # type: ignore[attr-defined]
    moves = price_changes_pct(item_ids, timezone.localdate())
    return {"price_change_pct": max(abs(move) for move in moves.values())} if moves else {}


def market_context(order: models.Model) -> dict[str, Any]:
    return {"market": LazyRoot(lambda: _market_values(order))}


def customer_context(order: models.Model) -> dict[str, Any]:
    return {"customer": LazyRoot(lambda: _customer_values(order))}


def supplier_context(order: models.Model) -> dict[str, Any]:
    return {"supplier": LazyRoot(lambda: _supplier_values(order))}


def weather_subjects(events: Sequence[DomainEvent]) -> dict[int, list[EventSubject]]:
    """Batch expander: one subject per location-day each `signal.weather_updated` batch wrote, judged on that
    day's calendar; the weather of every event in one query.

    Only days from the day before the ingest on count: a backfill of old weather is history for the forecasts,
    not news for rules. The probability is given in percent (0–100), as rules write it ("降水概率>=60"); the
    store keeps 0–1.
    """
    windows: dict[int, tuple[dt.date, dt.date, set[int]]] = {}
    for event in events:
        payload = event.payload or {}
        try:
            start, end = dt.date.fromisoformat(payload["from"]), dt.date.fromisoformat(payload["to"])
            locations = {int(pk) for pk in payload["locations"]}
        except (KeyError, TypeError, ValueError):
            continue
        start = max(start, timezone.localdate(event.occurred_at) - dt.timedelta(days=1))
        windows[event.pk] = (start, end, locations)
    days: list[WeatherDay] = []
    if windows:
        days = list(
            WeatherDay.objects.filter(
                location_id__in=set().union(*(w[2] for w in windows.values())),
                date__gte=min(w[0] for w in windows.values()),
                date__lte=max(w[1] for w in windows.values()),
            )
            .select_related("location")
            .order_by("date", "location_id")
        )
    found: dict[int, list[EventSubject]] = {event.pk: [] for event in events}
    for event_pk, (start, end, locations) in windows.items():
        found[event_pk] = [
            EventSubject(
                subject_type="weather_day",
                subject_id=f"{day.location_id}:{day.date.isoformat()}",
                subject=None,
                context={
                    "signal": {
                        "precipitation_probability": day.precipitation_probability * 100,
                        "temperature_c": day.temperature_c,
                        "location_id": day.location_id,
                    },
                    "calendar": calendar_context(day.date),
                },
                label=f"{day.location.code} {day.date.isoformat()}",
            )
            for day in days
            if day.location_id in locations and start <= day.date <= end
        ]
    return found


def register_core_context_providers() -> None:
    register_context_provider("sales_order", customer_context)
    register_context_provider("purchase_order", supplier_context)
    register_context_provider("purchase_order", market_context)
    register_event_subjects("signal.weather_updated", weather_subjects, batch=True)
