"""Retail mutations: open, change and close a shop. Each needs the retail module writable."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.base import BaseMutation
from core.graphql.lookups import require_pk
from tenants.accounts.roles import Permission
from verticals.retail import services
from verticals.retail.exceptions import StoreNotFound, UnknownLocation, UnknownWarehouse
from verticals.retail.graphql.types import RetailStoreType


class CreateRetailStore(BaseMutation):
    """Open a shop: a core store with its stock location (`<code>/stock`) and its retail profile."""

    retail_store = graphene.Field(RetailStoreType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "retail"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        address = graphene.String(default_value="")
        opening_hours = graphene.String(default_value="", description="Free text, e.g. 每天 09:00–22:00.")
        warehouse_id = graphene.ID(description="The warehouse that supplies the shop, if any.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateRetailStore:
        warehouse_id = data.get("warehouse_id")
        retail_store = services.open_store(
            code=data["code"],
            name=data["name"],
            address=data["address"],
            opening_hours=data["opening_hours"],
            warehouse_id=require_pk(warehouse_id, "warehouseId", "Warehouse", UnknownWarehouse) if warehouse_id else None,
        )
        return cls(retail_store=retail_store, errors=[])


class AdoptRetailStore(BaseMutation):
    """Make a store the core already has (created before retail was bought) a shop; it sells from the
    store's own stock location."""

    retail_store = graphene.Field(RetailStoreType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "retail"

    class Arguments:
        store_id = graphene.ID(required=True, description="A core Store (the `stores` query).")
        opening_hours = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> AdoptRetailStore:
        store_id = require_pk(data["store_id"], "storeId", "Store", StoreNotFound)
        return cls(retail_store=services.adopt_store(store_id, opening_hours=data["opening_hours"]), errors=[])


class UpdateRetailStore(BaseMutation):
    """Change a shop's name, address, opening hours or the location it sells from; omitted fields stay."""

    retail_store = graphene.Field(RetailStoreType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "retail"

    class Arguments:
        id = graphene.ID(required=True)
        name = graphene.String()
        address = graphene.String()
        opening_hours = graphene.String()
        stock_location_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> UpdateRetailStore:
        location_id = data.get("stock_location_id")
        retail_store = services.update_store(
            require_pk(data["id"], "id", "RetailStore", StoreNotFound),
            name=data.get("name"),
            address=data.get("address"),
            opening_hours=data.get("opening_hours"),
            stock_location_id=require_pk(location_id, "stockLocationId", "Location", UnknownLocation) if location_id else None,
        )
        return cls(retail_store=retail_store, errors=[])


class DeactivateRetailStore(BaseMutation):
    """Close a shop; refused while its location still holds stock. Its history stays readable."""

    retail_store = graphene.Field(RetailStoreType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "retail"

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DeactivateRetailStore:
        retail_store = services.deactivate_store(require_pk(data["id"], "id", "RetailStore", StoreNotFound))
        return cls(retail_store=retail_store, errors=[])


class RetailMutations(graphene.ObjectType):
    create_retail_store = CreateRetailStore.Field()
    adopt_retail_store = AdoptRetailStore.Field()
    update_retail_store = UpdateRetailStore.Field()
    deactivate_retail_store = DeactivateRetailStore.Field()
