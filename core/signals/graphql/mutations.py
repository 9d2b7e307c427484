"""Signal ingest mutations: integrators push delivery-platform demand, weather and market prices in bulk (idempotent upserts)."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.base import BaseMutation
from core.signals import services
from tenants.accounts.roles import Permission


class DeliveryDemandInput(graphene.InputObjectType):
    platform = graphene.String(required=True)
    area = graphene.String(required=True)
    observed_at = graphene.DateTime(required=True)
    value = graphene.Decimal(required=True)
    location_id = graphene.ID()


class WeatherInput(graphene.InputObjectType):
    location = graphene.String(required=True, description="Location code.")
    date = graphene.Date(required=True)
    precipitation_probability = graphene.Decimal(required=True, description="0–1.")
    temperature_c = graphene.Decimal(required=True)


class MarketPriceInput(graphene.InputObjectType):
    item = graphene.String(required=True, description="Item SKU.")
    date = graphene.Date(required=True)
    price = graphene.Decimal(required=True, description="Above zero, per base unit.")
    currency = graphene.String(description="Three-letter code; CNY when left out.")


class IngestDeliveryDemand(BaseMutation):
    written = graphene.Int()

    class Arguments:
        rows = graphene.List(graphene.NonNull(DeliveryDemandInput), required=True)

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> IngestDeliveryDemand:
        rows = [dict(row) for row in data["rows"]]
        for row in rows:
            if row.get("location_id") is not None:
                row["location_id"] = int(row["location_id"]) if str(row["location_id"]).isdigit() else None
        return cls(written=services.ingest_delivery_demand(rows))


class IngestWeather(BaseMutation):
    written = graphene.Int()

    class Arguments:
        rows = graphene.List(graphene.NonNull(WeatherInput), required=True)

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> IngestWeather:
        return cls(written=services.ingest_weather([dict(row) for row in data["rows"]], source="api"))


class IngestMarketPrices(BaseMutation):
    written = graphene.Int()

    class Arguments:
        rows = graphene.List(graphene.NonNull(MarketPriceInput), required=True)

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> IngestMarketPrices:
        return cls(written=services.ingest_market_prices([dict(row) for row in data["rows"]], source="api"))


class SignalMutations(graphene.ObjectType):
    ingest_delivery_demand = IngestDeliveryDemand.Field()
    ingest_weather = IngestWeather.Field()
    ingest_market_prices = IngestMarketPrices.Field()
