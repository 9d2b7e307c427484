"""The replenishment backtest over GraphQL: both policies for an item × location, at equal average stock."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLError

from core.graphql.lookups import pk_from_id
from core.planning.backtest_data import backtest_item


class BacktestResultType(graphene.ObjectType):
    policy = graphene.String(required=True)
    days = graphene.Int(required=True)
    demanded = graphene.Float(required=True)
    served = graphene.Float(required=True)
    lost = graphene.Float(required=True)
    fill_rate = graphene.Float(required=True)
    cycles = graphene.Int(required=True)
    cycle_service_level = graphene.Float(required=True)
    stockout_days = graphene.Int(required=True)
    average_stock = graphene.Float(required=True)
    average_stock_value = graphene.Float(required=True)
    orders_placed = graphene.Int(required=True)
    static_scale = graphene.Float(required=True, description="Factor applied to static min and max (1 = as configured).")
    peak_position = graphene.Float(required=True, description="Highest inventory position reached.")
    mean_lead_time = graphene.Float(required=True, description="Average lead time of the orders placed, in days.")


class BacktestType(graphene.ObjectType):
    forecast = graphene.Field(BacktestResultType, required=True)
    static = graphene.Field(BacktestResultType, required=True, description="Static min/max scaled to equal average stock.")
    static_unscaled = graphene.Field(BacktestResultType, required=True)


class BacktestQueries(graphene.ObjectType):
    backtest = graphene.Field(
        BacktestType,
        required=True,
        item_id=graphene.ID(required=True),
        location_id=graphene.ID(required=True),
        days=graphene.Int(default_value=365, description="Days of sales history; the first 28 train the policies."),
        variable_lead_time=graphene.Boolean(
            default_value=False, description="Draw each order's lead time from the supplier's learned mean and spread."
        ),
        seed=graphene.Int(default_value=0, description="Seed of the lead-time draws (same seed, same replay)."),
        description="Forecast-driven replenishment vs static min/max replayed over the sales history.",
    )

    @staticmethod
    def resolve_backtest(
        root: Any,
        info: Any,
        item_id: str,
        location_id: str,
        days: int = 365,
        variable_lead_time: bool = False,
        seed: int = 0,
    ) -> BacktestType:
        item, location = pk_from_id(item_id), pk_from_id(location_id)
        if item is None or location is None:
            raise GraphQLError("Unknown item or location.")
        if not 29 <= days <= 3660:
            raise GraphQLError("days lies between 29 and 3660.")
        comparison = backtest_item(item, location, days, variable_lead_time=variable_lead_time, seed=seed)
        return BacktestType(forecast=comparison.forecast, static=comparison.static, static_unscaled=comparison.static_unscaled)
