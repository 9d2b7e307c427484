"""Restaurant queries (guarded by the restaurant module: core.graphql.schema reads the registering module)."""

from __future__ import annotations

from datetime import date
from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone
from graphene_django import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from verticals.restaurant import planning, selectors
from verticals.restaurant.graphql.types import (
    DishCostType,
    DishType,
    IngredientQuantityType,
    LotRiskType,
    OutletType,
    PrepRowType,
    TicketLineType,
    UsageVarianceType,
    WasteRecordType,
)
from verticals.restaurant.models import Dish, Outlet, PosTicketLine, WasteRecord
from verticals.restaurant.services import dish_costs, explode_dish


class RestaurantQueries(graphene.ObjectType):
    restaurant_outlets = DjangoConnectionField(OutletType)
    dishes = DjangoConnectionField(DishType, active=graphene.Boolean())
    dish_costs = graphene.List(graphene.NonNull(DishCostType), required=True, description="Cost and margin per active dish.")
    dish_ingredients = graphene.List(
        graphene.NonNull(IngredientQuantityType), required=True, dish_id=graphene.ID(required=True),
        description="Base-unit ingredients of one portion, through every sub-recipe.",
    )  # fmt: skip
    pos_review_queue = DjangoConnectionField(TicketLineType, outlet_id=graphene.ID())
    waste_records = DjangoConnectionField(WasteRecordType, outlet_id=graphene.ID())
    prep_list = graphene.List(
        graphene.NonNull(PrepRowType), required=True, outlet_id=graphene.ID(required=True), day=graphene.Date()
    )
    usage_variance = graphene.List(
        graphene.NonNull(UsageVarianceType),
        required=True,
        outlet_id=graphene.ID(required=True),
        count_id=graphene.ID(required=True),
    )

    use_first = graphene.List(
        graphene.NonNull(LotRiskType), required=True, outlet_id=graphene.ID(required=True),
        description="先用先出: lots to use before anything else, riskiest first.",
    )  # fmt: skip

    @staticmethod
    def resolve_use_first(root: Any, info: Any, outlet_id: str) -> list[Any]:
        from verticals.restaurant.spoilage import use_first

        pk = pk_from_id(outlet_id, "RestaurantOutlet")
        if pk is None or not Outlet.objects.filter(pk=pk).exists():
            return []
        return use_first(pk)

    @staticmethod
    def resolve_restaurant_outlets(root: Any, info: Any, **args: Any) -> QuerySet[Outlet]:
        return selectors.outlets()

    @staticmethod
    def resolve_dishes(root: Any, info: Any, **args: Any) -> QuerySet[Dish]:
        return selectors.dishes(args.get("active"))

    @staticmethod
    def resolve_dish_costs(root: Any, info: Any) -> list[Any]:
        return dish_costs(list(selectors.dishes()))

    @staticmethod
    def resolve_dish_ingredients(root: Any, info: Any, dish_id: str) -> list[dict[str, Any]]:
        pk = pk_from_id(dish_id, "Dish")
        return [{"item_id": k, "quantity": v} for k, v in sorted(explode_dish(pk).items())] if pk else []

    @staticmethod
    def resolve_pos_review_queue(root: Any, info: Any, **args: Any) -> QuerySet[PosTicketLine]:
        return selectors.review_queue(pk_from_id(args.get("outlet_id"), "RestaurantOutlet"))

    @staticmethod
    def resolve_waste_records(root: Any, info: Any, **args: Any) -> QuerySet[WasteRecord]:
        return selectors.waste_records(pk_from_id(args.get("outlet_id"), "RestaurantOutlet"))

    @staticmethod
    def resolve_prep_list(root: Any, info: Any, outlet_id: str, day: date | None = None) -> list[Any]:
        pk = pk_from_id(outlet_id, "RestaurantOutlet")
        if pk is None or not Outlet.objects.filter(pk=pk).exists():
            return []
        return planning.prep_list(pk, day or timezone.localdate())

    @staticmethod
    def resolve_usage_variance(root: Any, info: Any, outlet_id: str, count_id: str) -> list[Any]:
        outlet, count = pk_from_id(outlet_id, "RestaurantOutlet"), pk_from_id(count_id, "CycleCount")
        if outlet is None or count is None:
            return []
        return selectors.usage_variance(outlet, count)
