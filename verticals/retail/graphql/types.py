"""GraphQL types of retail."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from core.locations.graphql.types import LocationType, StoreType
from core.locations.models import Location, Store
from verticals.retail.models import RetailStore


class RetailStoreType(DjangoObjectType):
    """A shop (门店): the core store plus where its stock is held and when it trades."""

    database_id = graphene.Int(required=True)
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    address = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    store = graphene.Field(StoreType, required=True, description="The core store (transfers, replenishment).")
    stock_location = graphene.Field(LocationType, required=True)

    class Meta:
        model = RetailStore
        name = "RetailStore"
        fields = ("id", "opening_hours", "created_at", "updated_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    # The connection's queryset joins store and stock_location (selectors.retail_stores), so these
    # resolvers read loaded rows and the page costs the same queries at any size.
    @staticmethod
    def resolve_database_id(root: RetailStore, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_code(root: RetailStore, info: Any) -> str:
        return root.store.code

    @staticmethod
    def resolve_name(root: RetailStore, info: Any) -> str:
        return root.store.name

    @staticmethod
    def resolve_address(root: RetailStore, info: Any) -> str:
        return root.store.address

    @staticmethod
    def resolve_active(root: RetailStore, info: Any) -> bool:
        return root.store.active

    @staticmethod
    def resolve_store(root: RetailStore, info: Any) -> Store:
        return root.store

    @staticmethod
    def resolve_stock_location(root: RetailStore, info: Any) -> Location:
        return root.stock_location
