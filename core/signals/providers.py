"""Demand signal providers behind one interface: each answers values over a range and reports its freshness.

Providers: POS sales velocity (from the ledger's sales moves), delivery-platform demand, weather, holidays.
Verticals may add their own with register_provider (the design's signal-provider hook).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.inventory.models import StockMove
from core.locations.models import LocationKind
from core.signals.models import DeliveryDemandIndex, WeatherDay

ZERO = Decimal("0")


@dataclass(frozen=True)
class Freshness:
    last_updated: datetime | None

    def age(self, now: datetime | None = None) -> timedelta | None:
        if self.last_updated is None:
            return None
        return (now or timezone.now()) - self.last_updated


@dataclass(frozen=True)
class SignalValue:
    day: date
    values: dict[str, Any]


class SignalProvider(ABC):
    name: str

    @abstractmethod
    def freshness(self) -> Freshness: ...

    @abstractmethod
    def values(self, *, item_id: int | None, location_id: int | None, start: date, end: date) -> list[SignalValue]:
        """Daily values from `start` up to and including `end`."""


def _sales(item_id: int | None, location_id: int | None) -> Any:
    moves = StockMove.objects.filter(to_location__kind=LocationKind.CUSTOMER)
    if item_id is not None:
        moves = moves.filter(item_id=item_id)
    if location_id is not None:
        moves = moves.filter(from_location_id=location_id)
    return moves


def sales_velocity(item_id: int, location_id: int, *, minutes: int = 60, now: datetime | None = None) -> Decimal:
    """Units sold per hour over the last `minutes` (minute resolution, from the sales moves' occurred_at)."""
    now = now or timezone.now()
    sold = _sales(item_id, location_id).filter(occurred_at__gt=now - timedelta(minutes=minutes), occurred_at__lte=now)
    total = sold.aggregate(total=Sum("quantity"))["total"] or ZERO
    return (Decimal(total) * 60 / Decimal(minutes)).quantize(Decimal("0.0001"))


class PosVelocityProvider(SignalProvider):
    """POS sales (销量) per day, and the live rate per hour over the last hour."""

    name = "pos_velocity"

    def freshness(self) -> Freshness:
        return Freshness(_sales(None, None).aggregate(last=Max("posted_at"))["last"])

    def values(self, *, item_id: int | None, location_id: int | None, start: date, end: date) -> list[SignalValue]:
        rows = (
            _sales(item_id, location_id)
            .filter(occurred_at__date__gte=start, occurred_at__date__lte=end)
            .annotate(day=TruncDate("occurred_at"))
            .values("day")
            .annotate(units=Sum("quantity"))
            .order_by("day")
        )
        return [SignalValue(r["day"], {"units": r["units"]}) for r in rows]


class DeliveryDemandProvider(SignalProvider):
    name = "delivery_demand"

    def freshness(self) -> Freshness:
        return Freshness(DeliveryDemandIndex.objects.aggregate(last=Max("updated_at"))["last"])

    def values(self, *, item_id: int | None, location_id: int | None, start: date, end: date) -> list[SignalValue]:
        tz = timezone.get_current_timezone()
        rows = DeliveryDemandIndex.objects.filter(
            observed_at__gte=datetime.combine(start, time.min, tz),
            observed_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
        )
        if location_id is not None:
            rows = rows.filter(location_id=location_id)
        by_day: dict[date, list[Decimal]] = {}
        for observed_at, value in rows.order_by("observed_at").values_list("observed_at", "value"):
            by_day.setdefault(timezone.localtime(observed_at, tz).date(), []).append(value)
        return [
            SignalValue(day, {"mean_index": sum(values, ZERO) / len(values), "peak_index": max(values)})
            for day, values in sorted(by_day.items())
        ]


class WeatherProvider(SignalProvider):
    name = "weather"

    def freshness(self) -> Freshness:
        return Freshness(WeatherDay.objects.aggregate(last=Max("updated_at"))["last"])

    def values(self, *, item_id: int | None, location_id: int | None, start: date, end: date) -> list[SignalValue]:
        rows = WeatherDay.objects.filter(date__gte=start, date__lte=end)
        if location_id is not None:
            rows = rows.filter(location_id=location_id)
        return [
            SignalValue(r.date, {"precipitation_probability": r.precipitation_probability, "temperature_c": r.temperature_c})
            for r in rows.order_by("date", "location_id")
        ]


class HolidayProvider(SignalProvider):
    """Chinese statutory holidays, make-up workdays and shopping festivals (ml_models.calendar)."""

    name = "holidays"

    def freshness(self) -> Freshness:
        # Computed from the `holidays` package's rules, so it is as fresh as the moment it is asked.
        return Freshness(timezone.now())

    def values(self, *, item_id: int | None, location_id: int | None, start: date, end: date) -> list[SignalValue]:
        from ml_models.calendar import festival_dates, holiday_days, makeup_workdays

        years = range(start.year, end.year + 1)
        holidays = set().union(*(holiday_days(y) for y in years))
        workdays = set().union(*(makeup_workdays(y) for y in years))
        festivals = {day: name for y in years for name, day in festival_dates(y).items()}
        result = []
        day = start
        while day <= end:
            if day in holidays or day in workdays or day in festivals:
                result.append(
                    SignalValue(
                        day, {"holiday": day in holidays, "makeup_workday": day in workdays, "festival": festivals.get(day, "")}
                    )
                )
            day += timedelta(days=1)
        return result


_providers: dict[str, SignalProvider] = {}


def register_provider(provider: SignalProvider) -> None:
    _providers[provider.name] = provider


def providers() -> dict[str, SignalProvider]:
    return dict(_providers)


for _provider in (PosVelocityProvider(), DeliveryDemandProvider(), WeatherProvider(), HolidayProvider()):
    register_provider(_provider)
