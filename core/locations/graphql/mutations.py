"""Location mutations."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.base import BaseMutation
from core.graphql.lookups import pk_from_id
from core.locations import services
from core.locations.graphql.types import LocationType, StoreType, WarehouseType
from core.locations.services import stock_location_of
from tenants.accounts.roles import Permission


class CreateWarehouse(BaseMutation):
    """A warehouse and its main stock location."""

    warehouse = graphene.Field(WarehouseType)
    stock_location = graphene.Field(LocationType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        address = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateWarehouse:
        warehouse = services.create_warehouse(data["code"], data["name"], address=data["address"])
        return cls(warehouse=warehouse, stock_location=stock_location_of(warehouse), errors=[])


class CreateStore(BaseMutation):
    """A store (门店) and its stock location."""

    store = graphene.Field(StoreType)
    stock_location = graphene.Field(LocationType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        warehouse_id = graphene.ID()
        address = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateStore:
        warehouse = pk_from_id(data["warehouse_id"], "Warehouse") if data.get("warehouse_id") else None
        store = services.create_store(data["code"], data["name"], warehouse_id=warehouse, address=data["address"])
        return cls(store=store, stock_location=stock_location_of(store), errors=[])


class CreateLocation(BaseMutation):
    """An internal location, e.g. a bin under a warehouse's stock location."""

    location = graphene.Field(LocationType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        warehouse_id = graphene.ID()
        store_id = graphene.ID()
        parent_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateLocation:
        def pk(name: str, type_name: str) -> int | None:
            return pk_from_id(data[name], type_name) if data.get(name) else None

        location = services.create_location(
            data["code"],
            data["name"],
            warehouse_id=pk("warehouse_id", "Warehouse"),
            store_id=pk("store_id", "Store"),
            parent_id=pk("parent_id", "Location"),
        )
        return cls(location=location, errors=[])


class LocationMutations(graphene.ObjectType):
    create_warehouse = CreateWarehouse.Field()
    create_store = CreateStore.Field()
    create_location = CreateLocation.Field()
