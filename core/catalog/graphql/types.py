"""GraphQL types of the catalog."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django import DjangoObjectType

from core.catalog.graphql.dataloaders import CategoryLoader, UnitLoader
from core.catalog.models import Category, CostMethod, Item, RemovalStrategy, Unit
from core.graphql.connections import CountedConnection

CostMethodEnum = graphene.Enum.from_enum(CostMethod, name="CostMethod")
RemovalStrategyEnum = graphene.Enum.from_enum(RemovalStrategy, name="RemovalStrategy")


def ordered(queryset: QuerySet[Any], ordering: str | None, allowed: frozenset[str]) -> QuerySet[Any]:
    """Apply `ordering` ("sku" or "-sku") when it names an allowed field; pk breaks ties for stable pages."""
    if ordering and ordering.lstrip("-") in allowed:
        return queryset.order_by(ordering, "pk")
    return queryset


class UnitType(DjangoObjectType):
    class Meta:
        model = Unit
        name = "Unit"
        fields = ("id", "code", "name")


class CategoryType(DjangoObjectType):
    parent = graphene.Field(lambda: CategoryType)

    class Meta:
        model = Category
        name = "Category"
        fields = ("id", "name", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_parent(root: Category, info: Any) -> Category | None:
        return CategoryLoader.for_request(info).load(root.parent_id)  # type: ignore[return-value]

    @classmethod
    def prepare_page(cls, nodes: list[Category], info: Any) -> None:
        CategoryLoader.for_request(info).queue(node.parent_id for node in nodes)


class ItemType(DjangoObjectType):
    category = graphene.Field(CategoryType)
    base_unit = graphene.Field(UnitType, required=True)
    barcodes = graphene.List(graphene.NonNull(graphene.String), required=True)
    cost_method = graphene.Field(CostMethodEnum, required=True)
    removal_strategy = graphene.Field(RemovalStrategyEnum, required=True)
    database_id = graphene.Int(required=True, description="The numeric id used by the ledger (itemId arguments).")

    class Meta:
        model = Item
        name = "Item"
        fields = (
            "id",
            "sku",
            "name_zh",
            "name_en",
            "lot_tracked",
            "shelf_life_days",
            "pack_size",
            "moq",
            "abc_class",
            "xyz_class",
            "active",
            "created_at",
            "updated_at",
        )
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Item, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_category(root: Item, info: Any) -> Category | None:
        return CategoryLoader.for_request(info).load(root.category_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_base_unit(root: Item, info: Any) -> Unit | None:
        return UnitLoader.for_request(info).load(root.base_unit_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_barcodes(root: Item, info: Any) -> list[str]:
        return list(root.barcodes or [])

    @staticmethod
    def resolve_cost_method(root: Item, info: Any) -> str:
        return root.cost_method

    @staticmethod
    def resolve_removal_strategy(root: Item, info: Any) -> str:
        return root.removal_strategy

    @classmethod
    def prepare_page(cls, nodes: list[Item], info: Any) -> None:
        CategoryLoader.for_request(info).queue(node.category_id for node in nodes)
        UnitLoader.for_request(info).queue(node.base_unit_id for node in nodes)
