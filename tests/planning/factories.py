"""Builders for planning tests: a chain of stores with forecasts and sourcing rules."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from core.catalog.models import Item
from core.locations.models import Location
from core.locations.services import create_store, stock_location_of
from core.planning.models import DemandForecast, SourcingRule


def make_store_location(code: str | None = None) -> Location:
    store = create_store(code or f"ST-{uuid.uuid4().hex[:6]}", "门店")
    return stock_location_of(store)


def write_forecast(item: Item, location: Location, start: date, days: int, p10: str, p50: str, p90: str) -> None:
    DemandForecast.objects.bulk_create(
        DemandForecast(
            item=item,
            location=location,
            made_on=start - timedelta(days=1),
            forecast_date=start + timedelta(days=offset),
            horizon_days=offset + 1,
            p10=Decimal(p10),
            p50=Decimal(p50),
            p90=Decimal(p90),
            model_name="test",
        )
        for offset in range(days)
    )


def source_from(item: Item, location: Location, **fields: object) -> SourcingRule:
    return SourcingRule.objects.create(item=item, location=location, **fields)
