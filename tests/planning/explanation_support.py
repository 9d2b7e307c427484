"""Builders for the forecast-explanation tests: a forecast run of an item × location, and its explanation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.catalog.models import Item
from core.locations.models import Location
from core.planning.models import DemandForecast, ForecastExplanation

# Adds up: 100 + 30 − 12 + 8 + 0 = 126.
CONTRIBUTIONS = {"lags": 30.0, "calendar": -12.0, "price_promo": 8.0, "signals": 0.0}
# The family names a zh-hans user reads, in reading order.
ZH_LABELS = ["近期需求（滞后）", "日历与节假日", "价格与促销", "外部信号：天气 / 外卖需求"]


def write_run(item: Item, location: Location, made_on: date, p50: str = "10", days: int = 28) -> None:
    """A forecast run made on `made_on` covering `days` days from that day on."""
    median = Decimal(p50)
    DemandForecast.objects.bulk_create(
        DemandForecast(
            item=item,
            location=location,
            made_on=made_on,
            forecast_date=made_on + timedelta(days=offset),
            horizon_days=offset + 1,
            p10=median / 2,
            p50=median,
            p90=median * 2,
            model_name="alpha.core.demand",
            model_version="3",
        )
        for offset in range(days)
    )


def write_explanation(
    item: Item, location: Location, made_on: date, contributions: dict[str, float] | None = None, reference: str = "100"
) -> ForecastExplanation:
    contributions = dict(CONTRIBUTIONS if contributions is None else contributions)
    total = Decimal(reference) + sum(Decimal(str(v)) for v in contributions.values())
    return ForecastExplanation.objects.create(
        item=item,
        location=location,
        made_on=made_on,
        model_name="alpha.core.demand",
        model_version="3",
        horizon_days=28,
        reference=Decimal(reference),
        p50_total=total,
        contributions=contributions,
    )


def write_explained_run(item: Item, location: Location, made_on: date, p50: str = "10", **explanation: object) -> None:
    write_run(item, location, made_on, p50)
    write_explanation(item, location, made_on, **explanation)  # type: ignore[arg-type]
