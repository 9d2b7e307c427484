"""GraphQL `inventoryInsights`: the dashboard's reads (core/planning/dashboard.py) for integrators and apps.

Thin: every figure and threshold comes from the domain module the web dashboard reads too.
"""

from __future__ import annotations

from typing import Any

import graphene

from core.catalog.graphql.types import ItemType
from core.inventory.graphql.types import StockLevelType
from core.locations.graphql.types import LocationType
from core.logistics.graphql.types import TransferType
from core.planning import dashboard
from core.planning.graphql.types import ItemHealthType


class WorkQueueType(graphene.ObjectType):
    """Documents waiting for someone: `count` documents in one of `states`."""

    code = graphene.String(required=True, description='e.g. "purchase_orders_awaiting_approval".')
    states = graphene.List(graphene.NonNull(graphene.String), required=True)
    count = graphene.Int(required=True)


class HealthComponentValueType(graphene.ObjectType):
    code = graphene.String(required=True, description="cover, stockout, excess_ageing, expiry or accuracy.")
    value = graphene.Decimal(description="Stock-value-weighted, 0–100; null when no pair has this component.")


class LocationHealthType(graphene.ObjectType):
    location = graphene.Field(LocationType, required=True)
    score = graphene.Decimal(required=True)


class PairHealthType(graphene.ObjectType):
    """An item × location on a risk list, with its health score."""

    item = graphene.Field(ItemType, required=True)
    location = graphene.Field(LocationType, required=True)
    health = graphene.Field(ItemHealthType, required=True)

    @staticmethod
    def resolve_health(root: dashboard.PairRow, info: Any) -> Any:
        return root.score


class LocationStockValueType(graphene.ObjectType):
    location_code = graphene.String(required=True)
    value = graphene.Decimal(required=True, description="On hand × average cost.")


class InsightThresholdsType(graphene.ObjectType):
    """What decides the lists, so a client can label them as the dashboard does."""

    stockout_risk_probability = graphene.Decimal(required=True)
    excess_list_below = graphene.Decimal(required=True)
    expiry_window_days = graphene.Int(required=True)
    list_size = graphene.Int(required=True)


class InventoryInsightsType(graphene.ObjectType):
    """The dashboard's figures: work waiting, the health index with its components, the risk lists, expiring stock,
    transfers in transit and stock value per location."""

    work_waiting = graphene.List(graphene.NonNull(WorkQueueType), required=True)
    health_score = graphene.Decimal(description="The tenant's Inventory Health Index, 0–100; null without stock.")
    scored_pairs = graphene.Int(required=True, description="Item × location pairs scored.")
    components = graphene.List(graphene.NonNull(HealthComponentValueType), required=True)
    per_location = graphene.List(graphene.NonNull(LocationHealthType), required=True)
    stockout_risks = graphene.List(graphene.NonNull(PairHealthType), required=True)
    excess = graphene.List(graphene.NonNull(PairHealthType), required=True, description="Excess and ageing stock.")
    expiring_stock = graphene.List(graphene.NonNull(StockLevelType), required=True)
    in_transit = graphene.List(graphene.NonNull(TransferType), required=True)
    stock_value_by_location = graphene.List(graphene.NonNull(LocationStockValueType), required=True)
    thresholds = graphene.Field(InsightThresholdsType, required=True)


def inventory_insights() -> InventoryInsightsType:
    health = dashboard.health_summary()
    return InventoryInsightsType(
        work_waiting=dashboard.work_waiting(),
        health_score=health.score,
        scored_pairs=health.pairs,
        components=[HealthComponentValueType(code=code, value=health.components.get(code)) for code in dashboard.WEIGHTS],
        per_location=[LocationHealthType(location=location, score=score) for location, score in health.per_location],
        stockout_risks=health.stockout_risks,
        excess=health.excess,
        expiring_stock=dashboard.expiring_stock(),
        in_transit=dashboard.in_transit(),
        stock_value_by_location=[
            LocationStockValueType(location_code=code, value=value) for code, value in dashboard.stock_value_by_location()
        ],
        thresholds=InsightThresholdsType(
            stockout_risk_probability=dashboard.STOCKOUT_RISK_PROBABILITY,
            excess_list_below=dashboard.EXCESS_LIST_BELOW,
            expiry_window_days=dashboard.EXPIRY_WINDOW_DAYS,
            list_size=dashboard.LIST_SIZE,
        ),
    )


class DashboardQueries(graphene.ObjectType):
    inventory_insights = graphene.Field(
        InventoryInsightsType,
        required=True,
        description="The dashboard's figures (看板): work waiting, inventory health and its risk lists, expiring stock, "
        "transfers in transit and stock value per location.",
    )

    @staticmethod
    def resolve_inventory_insights(root: Any, info: Any) -> InventoryInsightsType:
        return inventory_insights()
