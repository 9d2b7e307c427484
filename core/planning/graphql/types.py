"""GraphQL types of planning: replenishment proposals and runs, forecast bands and their explanations,
inventory health."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.catalog.graphql.types import ItemType
from core.graphql.connections import CountedConnection
from core.locations.graphql.types import LocationType
from core.partners.graphql.types import SupplierType
from core.planning import selectors
from core.planning.health import HealthScore
from core.planning.models import (
    DemandForecast,
    ForecastExplanation,
    ReplenishmentProposal,
    ReplenishmentRun,
    SafetyStockAdjustment,
)


class ReplenishmentProposalType(DjangoObjectType):
    item = graphene.Field(ItemType, required=True)
    location = graphene.Field(LocationType, required=True)
    supplier = graphene.Field(SupplierType)
    source_location = graphene.Field(LocationType)

    class Meta:
        model = ReplenishmentProposal
        name = "ReplenishmentProposal"
        fields = (
            "id",
            "quantity",
            "inventory_position",
            "lead_time_demand",
            "safety_stock",
            "reorder_point",
            "order_up_to",
            "service_level",
            "reason",
            "state",
            "document_type",
            "document_id",
            "created_at",
            "decided_at",
            "decided_by",
        )
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection
        convert_choices_to_enum = False


class SafetyStockAdjustmentType(DjangoObjectType):
    location = graphene.Field(LocationType, description="Null: every location.")

    class Meta:
        model = SafetyStockAdjustment
        name = "SafetyStockAdjustment"
        description = "A temporary change of a category's safety stock (安全库存临时调整), e.g. made by a rule."
        fields = (
            "id",
            "category_name",
            "percent",
            "starts_on",
            "ends_on",
            "location",
            "rule_version_id",
            "event_id",
            "subject",
            "reason",
            "created_at",
        )
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection


class ReplenishmentRunType(DjangoObjectType):
    class Meta:
        model = ReplenishmentRun
        name = "ReplenishmentRun"
        fields = ("id", "run_key", "started_at", "pairs_evaluated", "proposals_created")


class ForecastDayType(DjangoObjectType):
    class Meta:
        model = DemandForecast
        name = "ForecastDay"
        fields = ("forecast_date", "made_on", "horizon_days", "p10", "p50", "p90", "model_name", "model_version")


class ForecastContributionType(graphene.ObjectType):
    family = graphene.String(required=True, description="lags, calendar, price_promo or signals.")
    label = graphene.String(required=True, description="The family's name in the user's language.")
    value = graphene.Decimal(required=True, description="Demand units added to (negative: taken from) the P50 total.")

    class Meta:
        name = "ForecastContribution"


class ForecastExplanationType(DjangoObjectType):
    """Why a forecast run is what it is: reference + Σ contributions ≈ p50Total (demand units over the horizon)."""

    contributions = graphene.List(graphene.NonNull(ForecastContributionType), required=True)

    class Meta:
        model = ForecastExplanation
        name = "ForecastExplanation"
        fields = ("made_on", "model_name", "model_version", "horizon_days", "reference", "p50_total")

    @staticmethod
    def resolve_contributions(root: ForecastExplanation, info: Any) -> list[selectors.Contribution]:
        return selectors.explanation_contributions(root)


class HealthComponentsType(graphene.ObjectType):
    """Each 0–100, higher is healthier; accuracy is null until actual sales exist (see core/planning/health.py)."""

    cover = graphene.Decimal(required=True)
    stockout = graphene.Decimal(required=True)
    excess_ageing = graphene.Decimal(required=True)
    expiry = graphene.Decimal(required=True)
    accuracy = graphene.Decimal()


class ItemHealthType(graphene.ObjectType):
    item_id = graphene.ID(required=True)
    location_id = graphene.ID(required=True)
    score = graphene.Decimal(required=True)
    components = graphene.Field(HealthComponentsType, required=True)
    cover_days = graphene.Decimal()
    stockout_probability = graphene.Decimal(required=True)
    stock_value = graphene.Decimal(required=True)

    @staticmethod
    def resolve_components(root: HealthScore, info: Any) -> HealthComponentsType:
        return HealthComponentsType(**root.components)


class InventoryHealthType(graphene.ObjectType):
    score = graphene.Decimal(description="Stock-value-weighted Inventory Health Index, 0–100; null without stock.")
    items = graphene.List(graphene.NonNull(ItemHealthType), required=True)
