"""Planning queries: replenishment proposals, the forecast band of an item × location and why it is what it is,
the health index."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from core.planning import health, selectors
from core.planning.graphql.types import (
    ForecastDayType,
    ForecastExplanationType,
    InventoryHealthType,
    ReplenishmentProposalType,
    SafetyStockAdjustmentType,
)
from core.planning.models import DemandForecast, ForecastExplanation, ReplenishmentProposal, SafetyStockAdjustment


def _int(value: Any) -> int | None:
    if value is None:
        return None
    pk = pk_from_id(value)
    return pk if pk is not None else -1


class PlanningQueries(graphene.ObjectType):
    replenishment_proposals = DjangoConnectionField(
        ReplenishmentProposalType,
        states=graphene.List(graphene.NonNull(graphene.String), description='e.g. ["proposed"]'),
        location_id=graphene.ID(),
        description="Suggested orders (补货建议), newest first.",
    )
    safety_stock_adjustments = DjangoConnectionField(
        SafetyStockAdjustmentType,
        in_force_from=graphene.Date(description="Only adjustments still in force on or after this day."),
        description="Temporary safety-stock changes (e.g. +15 % for leafy greens over a rainy weekend), latest first.",
    )
    forecasts = graphene.List(
        graphene.NonNull(ForecastDayType),
        required=True,
        item_id=graphene.ID(required=True),
        location_id=graphene.ID(required=True),
        description="The latest forecast run for an item × location: P10/P50/P90 per day.",
    )
    forecast_explanation = graphene.Field(
        ForecastExplanationType,
        item_id=graphene.ID(required=True),
        location_id=graphene.ID(required=True),
        description="Why the latest forecast run of an item × location is what it is: the reference level and what "
        "each feature family adds to the P50 total. Null when that run has none (e.g. baseline forecasts).",
    )
    inventory_health = graphene.Field(
        InventoryHealthType,
        required=True,
        location_id=graphene.ID(description="Omit for the whole tenant."),
        description="Inventory Health Index per item × location and its stock-value-weighted rollup.",
    )

    @staticmethod
    def resolve_replenishment_proposals(root: Any, info: Any, **args: Any) -> QuerySet[ReplenishmentProposal]:
        return selectors.proposals(states=args.get("states"), location_id=_int(args.get("location_id")))

    @staticmethod
    def resolve_safety_stock_adjustments(root: Any, info: Any, **args: Any) -> QuerySet[SafetyStockAdjustment]:
        return selectors.safety_stock_adjustments(in_force_from=args.get("in_force_from"))

    @staticmethod
    def resolve_forecasts(root: Any, info: Any, item_id: str, location_id: str) -> QuerySet[DemandForecast]:
        return selectors.forecasts(_int(item_id) or -1, _int(location_id) or -1)

    @staticmethod
    def resolve_forecast_explanation(root: Any, info: Any, item_id: str, location_id: str) -> ForecastExplanation | None:
        return selectors.latest_explanation(_int(item_id) or -1, _int(location_id) or -1)

    @staticmethod
    def resolve_inventory_health(root: Any, info: Any, location_id: str | None = None) -> InventoryHealthType:
        location = _int(location_id)
        scores = health.inventory_health([location] if location is not None else None)
        return InventoryHealthType(score=health.rollup(scores), items=scores)
