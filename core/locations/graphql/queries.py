"""Location queries."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q, QuerySet
from graphene_django import DjangoConnectionField

from core.catalog.graphql.types import ordered
from core.graphql.lookups import pk_from_id
from core.locations.graphql.types import LocationKindEnum, LocationType, StoreType, WarehouseType
from core.locations.models import Location, Store, Warehouse

ORDERING = frozenset({"code", "name"})


class LocationQueries(graphene.ObjectType):
    warehouses = DjangoConnectionField(WarehouseType, active=graphene.Boolean(), ordering=graphene.String())
    stores = DjangoConnectionField(StoreType, active=graphene.Boolean(), ordering=graphene.String())
    locations = DjangoConnectionField(
        LocationType,
        kind=LocationKindEnum(),
        warehouse_id=graphene.ID(),
        store_id=graphene.ID(),
        search=graphene.String(),
        active=graphene.Boolean(),
        ordering=graphene.String(),
    )

    @staticmethod
    def resolve_warehouses(root: Any, info: Any, **args: Any) -> QuerySet[Warehouse]:
        queryset = Warehouse.objects.all()
        if args.get("active") is not None:
            queryset = queryset.filter(active=args["active"])
        return ordered(queryset, args.get("ordering"), ORDERING)

    @staticmethod
    def resolve_stores(root: Any, info: Any, **args: Any) -> QuerySet[Store]:
        queryset = Store.objects.all()
        if args.get("active") is not None:
            queryset = queryset.filter(active=args["active"])
        return ordered(queryset, args.get("ordering"), ORDERING)

    @staticmethod
    def resolve_locations(root: Any, info: Any, **args: Any) -> QuerySet[Location]:
        queryset = Location.objects.all()
        if args.get("kind"):
            queryset = queryset.filter(kind=getattr(args["kind"], "value", args["kind"]))
        if args.get("warehouse_id"):
            queryset = queryset.filter(warehouse_id=pk_from_id(args["warehouse_id"], "Warehouse") or -1)
        if args.get("store_id"):
            queryset = queryset.filter(store_id=pk_from_id(args["store_id"], "Store") or -1)
        if args.get("search"):
            queryset = queryset.filter(Q(code__icontains=args["search"]) | Q(name__icontains=args["search"]))
        if args.get("active") is not None:
            queryset = queryset.filter(active=args["active"])
        return ordered(queryset, args.get("ordering"), ORDERING)
