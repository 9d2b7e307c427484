"""GraphQL types of locations."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection, ModelLoader
from core.locations.models import Location, LocationKind, Store, Warehouse

LocationKindEnum = graphene.Enum.from_enum(LocationKind, name="LocationKind")


class WarehouseLoader(ModelLoader):
    model = Warehouse


class StoreLoader(ModelLoader):
    model = Store


class LocationLoader(ModelLoader):
    model = Location


class WarehouseType(DjangoObjectType):
    database_id = graphene.Int(required=True)

    class Meta:
        model = Warehouse
        name = "Warehouse"
        fields = ("id", "code", "name", "address", "active")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Warehouse, info: Any) -> int:
        return root.pk


class StoreType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    warehouse = graphene.Field(WarehouseType)

    class Meta:
        model = Store
        name = "Store"
        fields = ("id", "code", "name", "address", "active")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Store, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_warehouse(root: Store, info: Any) -> Warehouse | None:
        return WarehouseLoader.for_request(info).load(root.warehouse_id)  # type: ignore[return-value]


class LocationType(DjangoObjectType):
    database_id = graphene.Int(required=True, description="The numeric id used by the ledger (locationId arguments).")
    kind = graphene.Field(LocationKindEnum, required=True)
    warehouse = graphene.Field(WarehouseType)
    store = graphene.Field(StoreType)
    parent = graphene.Field(lambda: LocationType)
    destination = graphene.Field(lambda: LocationType, description="Where goods in a transit location are going.")

    class Meta:
        model = Location
        name = "Location"
        fields = ("id", "code", "name", "reference", "active", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Location, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_kind(root: Location, info: Any) -> str:
        return root.kind

    @staticmethod
    def resolve_warehouse(root: Location, info: Any) -> Warehouse | None:
        return WarehouseLoader.for_request(info).load(root.warehouse_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_store(root: Location, info: Any) -> Store | None:
        return StoreLoader.for_request(info).load(root.store_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_parent(root: Location, info: Any) -> Location | None:
        return LocationLoader.for_request(info).load(root.parent_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_destination(root: Location, info: Any) -> Location | None:
        return LocationLoader.for_request(info).load(root.destination_id)  # type: ignore[return-value]

    @classmethod
    def prepare_page(cls, nodes: list[Location], info: Any) -> None:
        WarehouseLoader.for_request(info).queue(node.warehouse_id for node in nodes)
        StoreLoader.for_request(info).queue(node.store_id for node in nodes)
        LocationLoader.for_request(info).queue([node.parent_id for node in nodes] + [node.destination_id for node in nodes])
