"""GraphQL types of the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.catalog.graphql.dataloaders import UnitLoader
from core.catalog.graphql.types import ItemType
from core.catalog.models import Item
from core.graphql.connections import CountedConnection
from core.inventory.graphql.dataloaders import ItemLoader, LocationLoader, LotLoader, PostingLoader
from core.inventory.models import Lot, Posting, StockLevel, StockMove
from core.locations.graphql.types import LocationType


class LotType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    item = graphene.Field(ItemType, required=True)

    class Meta:
        model = Lot
        name = "Lot"
        fields = ("id", "code", "expiry_date", "received_at", "unit_cost")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Lot, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_item(root: Lot, info: Any) -> Any:
        return ItemLoader.for_request(info).load(root.item_id)

    @classmethod
    def prepare_page(cls, nodes: list[Lot], info: Any) -> None:
        ItemLoader.for_request(info).queue(node.item_id for node in nodes)


class StockLevelType(DjangoObjectType):
    item = graphene.Field(ItemType, required=True)
    location = graphene.Field(LocationType, required=True)
    lot = graphene.Field(LotType)
    available = graphene.Decimal(required=True, description="On hand − reserved.")

    class Meta:
        model = StockLevel
        name = "StockLevel"
        fields = ("id", "on_hand", "reserved")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_item(root: StockLevel, info: Any) -> Any:
        return ItemLoader.for_request(info).load(root.item_id)

    @staticmethod
    def resolve_location(root: StockLevel, info: Any) -> Any:
        return LocationLoader.for_request(info).load(root.location_id)

    @staticmethod
    def resolve_lot(root: StockLevel, info: Any) -> Any:
        return LotLoader.for_request(info).load(root.lot_id)

    @staticmethod
    def resolve_available(root: StockLevel, info: Any) -> Decimal:
        return root.available

    @classmethod
    def prepare_page(cls, nodes: list[StockLevel], info: Any) -> None:
        """Prime the loaders with the rows the page's join already read; queue the rest for one query each."""
        items, locations, lots = ItemLoader.for_request(info), LocationLoader.for_request(info), LotLoader.for_request(info)
        units = UnitLoader.for_request(info)
        for node in nodes:
            if StockLevel.item.is_cached(node):  # type: ignore[attr-defined]
                items.prime(node.item_id, node.item)
                if Item.base_unit.is_cached(node.item):  # type: ignore[attr-defined]
                    units.prime(node.item.base_unit_id, node.item.base_unit)
            else:
                items.queue([node.item_id])
            if StockLevel.location.is_cached(node):  # type: ignore[attr-defined]
                locations.prime(node.location_id, node.location)
            else:
                locations.queue([node.location_id])
            if node.lot_id is not None and StockLevel.lot.is_cached(node):  # type: ignore[attr-defined]
                lots.prime(node.lot_id, node.lot)  # type: ignore[arg-type]
            else:
                lots.queue([node.lot_id])


class PostingType(DjangoObjectType):
    class Meta:
        model = Posting
        name = "Posting"
        fields = ("id", "idempotency_key", "document_type", "document_id", "actor", "reason", "occurred_at", "posted_at")
        interfaces = (graphene.relay.Node,)


class StockMoveType(DjangoObjectType):
    item = graphene.Field(ItemType, required=True)
    lot = graphene.Field(LotType)
    from_location = graphene.Field(LocationType, required=True)
    to_location = graphene.Field(LocationType, required=True)
    posting = graphene.Field(PostingType, required=True)

    class Meta:
        model = StockMove
        name = "StockMove"
        fields = (
            "id",
            "quantity",
            "unit_cost",
            "value",
            "document_type",
            "document_id",
            "occurred_at",
            "posted_at",
            "actor",
        )
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_item(root: StockMove, info: Any) -> Any:
        return ItemLoader.for_request(info).load(root.item_id)

    @staticmethod
    def resolve_lot(root: StockMove, info: Any) -> Any:
        return LotLoader.for_request(info).load(root.lot_id)

    @staticmethod
    def resolve_from_location(root: StockMove, info: Any) -> Any:
        return LocationLoader.for_request(info).load(root.from_location_id)

    @staticmethod
    def resolve_to_location(root: StockMove, info: Any) -> Any:
        return LocationLoader.for_request(info).load(root.to_location_id)

    @staticmethod
    def resolve_posting(root: StockMove, info: Any) -> Any:
        return PostingLoader.for_request(info).load(root.posting_id)

    @classmethod
    def prepare_page(cls, nodes: list[StockMove], info: Any) -> None:
        ItemLoader.for_request(info).queue(node.item_id for node in nodes)
        LotLoader.for_request(info).queue(node.lot_id for node in nodes)
        LocationLoader.for_request(info).queue([n.from_location_id for n in nodes] + [n.to_location_id for n in nodes])
        PostingLoader.for_request(info).queue(node.posting_id for node in nodes)
