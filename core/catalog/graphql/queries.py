"""Catalog queries: items and categories as Relay connections."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q, QuerySet
from graphene_django import DjangoConnectionField

from core.catalog import selectors
from core.catalog.graphql.types import CategoryType, ItemType, UnitType, ordered
from core.catalog.models import Category, Item, Unit
from core.graphql.lookups import pk_from_id

ITEM_ORDERING = frozenset({"sku", "name_zh", "name_en", "created_at", "updated_at", "abc_class"})


class CatalogQueries(graphene.ObjectType):
    items = DjangoConnectionField(
        ItemType,
        sku=graphene.String(description="Exact SKU."),
        search=graphene.String(description="Part of the SKU or a name."),
        name=graphene.String(description="Part of the Chinese or English name."),
        category_id=graphene.ID(description="This category and everything under it."),
        active=graphene.Boolean(),
        ordering=graphene.String(description="sku, name_zh, name_en, created_at, updated_at or abc_class; '-' for descending."),
    )
    item = graphene.Field(ItemType, id=graphene.ID(), sku=graphene.String())
    categories = DjangoConnectionField(CategoryType, parent_id=graphene.ID(), roots_only=graphene.Boolean())
    units = graphene.List(graphene.NonNull(UnitType), required=True)

    @staticmethod
    def resolve_items(root: Any, info: Any, **args: Any) -> QuerySet[Item]:
        category_id = pk_from_id(args["category_id"], "Category") if args.get("category_id") else None
        queryset = selectors.items(active=args.get("active"), category_id=category_id, search=args.get("search") or "")
        if args.get("sku"):
            queryset = queryset.filter(sku=args["sku"])
        if args.get("name"):
            queryset = queryset.filter(Q(name_zh__icontains=args["name"]) | Q(name_en__icontains=args["name"]))
        return ordered(queryset, args.get("ordering"), ITEM_ORDERING)

    @staticmethod
    def resolve_item(root: Any, info: Any, id: str | None = None, sku: str | None = None) -> Item | None:
        if sku:
            return Item.objects.filter(sku=sku).first()
        pk = pk_from_id(id, "Item")
        return Item.objects.filter(pk=pk).first() if pk is not None else None

    @staticmethod
    def resolve_categories(root: Any, info: Any, **args: Any) -> QuerySet[Category]:
        queryset = Category.objects.all()
        if args.get("parent_id"):
            queryset = queryset.filter(parent_id=pk_from_id(args["parent_id"], "Category"))
        elif args.get("roots_only"):
            queryset = queryset.filter(parent__isnull=True)
        return queryset

    @staticmethod
    def resolve_units(root: Any, info: Any) -> QuerySet[Unit]:
        return Unit.objects.all()
