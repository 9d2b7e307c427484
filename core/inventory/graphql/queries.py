"""Ledger queries: stock levels, lots, moves, inventory position and stock value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from core.inventory import selectors
from core.inventory.graphql.types import LotType, StockLevelType, StockMoveType
from core.inventory.models import Lot, StockLevel, StockMove


def _pk(args: dict[str, Any], name: str, type_name: str) -> int | None:
    value = args.get(name)
    return pk_from_id(value, type_name) if value not in (None, "") else None


class InventoryQueries(graphene.ObjectType):
    stock_levels = DjangoConnectionField(
        StockLevelType,
        item_id=graphene.ID(),
        location_id=graphene.ID(),
        lot_id=graphene.ID(),
        include_zero=graphene.Boolean(default_value=False, description="Also rows with nothing on hand or reserved."),
    )
    lots = DjangoConnectionField(LotType, item_id=graphene.ID(), expiring_before=graphene.Date())
    stock_moves = DjangoConnectionField(
        StockMoveType,
        item_id=graphene.ID(),
        location_id=graphene.ID(description="Moves into or out of this location."),
        document_type=graphene.String(),
        document_id=graphene.Int(),
    )
    inventory_position = graphene.Decimal(
        required=True,
        item_id=graphene.ID(required=True),
        location_id=graphene.ID(required=True),
        description="On hand + in transit + open purchase quantity − reserved − backorders.",
    )
    stock_value = graphene.Decimal(required=True, description="The tenant's stock value at cost.")

    @staticmethod
    def resolve_stock_levels(root: Any, info: Any, **args: Any) -> QuerySet[StockLevel]:
        levels = selectors.stock_levels(
            item_id=_pk(args, "item_id", "Item"),
            location_id=_pk(args, "location_id", "Location"),
            lot_id=_pk(args, "lot_id", "Lot"),
            non_zero=not args.get("include_zero"),
        ).order_by("item_id", "location_id", "lot_id")
        # One join instead of four loader queries; StockLevelType.prepare_page primes the loaders from it.
        return levels.select_related("item__base_unit", "location", "lot")

    @staticmethod
    def resolve_lots(root: Any, info: Any, **args: Any) -> QuerySet[Lot]:
        queryset = Lot.objects.all()
        if args.get("item_id"):
            queryset = queryset.filter(item_id=_pk(args, "item_id", "Item") or -1)
        if args.get("expiring_before"):
            queryset = queryset.filter(expiry_date__lt=args["expiring_before"]).order_by("expiry_date", "pk")
        return queryset

    @staticmethod
    def resolve_stock_moves(root: Any, info: Any, **args: Any) -> QuerySet[StockMove]:
        return selectors.stock_moves(
            item_id=_pk(args, "item_id", "Item"),
            location_id=_pk(args, "location_id", "Location"),
            document_type=args.get("document_type") or "",
            document_id=args.get("document_id"),
        ).order_by("-posted_at", "-pk")

    @staticmethod
    def resolve_inventory_position(root: Any, info: Any, item_id: str, location_id: str) -> Decimal:
        item, location = pk_from_id(item_id, "Item"), pk_from_id(location_id, "Location")
        if item is None or location is None:
            return Decimal("0")
        return selectors.inventory_position(item, location)

    @staticmethod
    def resolve_stock_value(root: Any, info: Any) -> Decimal:
        return selectors.stock_value()
