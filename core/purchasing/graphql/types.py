"""GraphQL types of purchasing: purchase orders with their lines, goods receipts, supplier returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.catalog.graphql.types import ItemType, UnitType
from core.catalog.models import Unit
from core.graphql.connections import CountedConnection
from core.graphql.documents import DocumentLineResolvers
from core.locations.graphql.types import LocationType
from core.partners.graphql.types import SupplierType
from core.purchasing.graphql.dataloaders import PurchaseOrderBlockingLoader, PurchaseOrderLinesLoader, UnitLoader
from core.purchasing.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, SupplierReturn


class PurchaseOrderLineType(DocumentLineResolvers, DjangoObjectType):
    # Resolvers only: the schema prints `unit` between `item` and `itemId`, an order the field mixin cannot keep.
    item = graphene.Field(ItemType, required=True)
    unit = graphene.Field(UnitType, required=True)
    item_id = graphene.ID(required=True)
    sku = graphene.String(required=True)
    item_name = graphene.String(required=True)
    unit_code = graphene.String(required=True)
    open_quantity = graphene.Decimal(required=True, description="Ordered − received, never below zero (in the line's unit).")
    line_total = graphene.Decimal(required=True)

    class Meta:
        model = PurchaseOrderLine
        name = "PurchaseOrderLine"
        fields = ("id", "quantity", "unit_price", "received_quantity")
        interfaces = (graphene.relay.Node,)

    @staticmethod
    def resolve_unit(root: Any, info: Any) -> Any:
        return UnitLoader.for_request(info).load(root.unit_id)

    @staticmethod
    def resolve_unit_code(root: PurchaseOrderLine, info: Any) -> str:
        unit = UnitLoader.for_request(info).load(root.unit_id)
        return unit.code if isinstance(unit, Unit) else ""

    @staticmethod
    def resolve_open_quantity(root: PurchaseOrderLine, info: Any) -> Decimal:
        return root.open_quantity

    @staticmethod
    def resolve_line_total(root: PurchaseOrderLine, info: Any) -> Decimal:
        return root.line_total


class PurchaseOrderType(DjangoObjectType):
    destination = graphene.Field(LocationType, required=True)
    supplier = graphene.Field(SupplierType, required=True)
    supplier_id = graphene.ID(required=True)
    supplier_name = graphene.String(required=True)
    destination_id = graphene.ID(required=True)
    destination_code = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(PurchaseOrderLineType), required=True)
    blocking_reason = graphene.String(
        required=True, description='Why the order is stuck now, e.g. "awaiting_approval"; "" if not.'
    )
    allowed_transitions = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = PurchaseOrder
        name = "PurchaseOrder"
        fields = (
            "id",
            "number",
            "state",
            "state_changed_at",
            "currency",
            "total",
            "expected_date",
            "urgent",
            "notes",
            "created_at",
            "created_by",
            "sent_at",
        )
        convert_choices_to_enum = False
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @classmethod
    def prepare_page(cls, nodes: list[PurchaseOrder], info: Any) -> None:
        # one query for all the page's lines (and then their items and units) and one for the reasons
        keys = [node.pk for node in nodes]
        PurchaseOrderLinesLoader.for_request(info).queue(keys)
        PurchaseOrderBlockingLoader.for_request(info).queue(keys)

    @classmethod
    def get_queryset(cls, queryset: Any, info: Any) -> Any:
        return queryset.select_related("supplier", "destination")

    @staticmethod
    def resolve_supplier(root: Any, info: Any) -> Any:
        return root.supplier  # joined by get_queryset

    @staticmethod
    def resolve_supplier_id(root: PurchaseOrder, info: Any) -> int:
        return root.supplier_id

    @staticmethod
    def resolve_supplier_name(root: PurchaseOrder, info: Any) -> str:
        return root.supplier.name  # select_related by the queries

    @staticmethod
    def resolve_destination(root: Any, info: Any) -> Any:
        return root.destination  # joined by get_queryset

    @staticmethod
    def resolve_destination_id(root: PurchaseOrder, info: Any) -> int:
        return root.destination_id

    @staticmethod
    def resolve_destination_code(root: PurchaseOrder, info: Any) -> str:
        return root.destination.code

    @staticmethod
    def resolve_lines(root: PurchaseOrder, info: Any) -> list[PurchaseOrderLine]:
        return PurchaseOrderLinesLoader.for_request(info).load(root.pk) or []

    @staticmethod
    def resolve_blocking_reason(root: PurchaseOrder, info: Any) -> str:
        return PurchaseOrderBlockingLoader.for_request(info).load(root.pk) or ""

    @staticmethod
    def resolve_allowed_transitions(root: PurchaseOrder, info: Any) -> tuple[str, ...]:
        return root.allowed_transitions()


class GoodsReceiptLineType(DjangoObjectType):
    order_line_id = graphene.ID(required=True)

    class Meta:
        model = GoodsReceiptLine
        name = "GoodsReceiptLine"
        fields = ("id", "quantity", "lot_code", "expiry_date")

    @staticmethod
    def resolve_order_line_id(root: GoodsReceiptLine, info: Any) -> int:
        return root.order_line_id


class GoodsReceiptType(DjangoObjectType):
    lines = graphene.List(graphene.NonNull(GoodsReceiptLineType), required=True)

    class Meta:
        model = GoodsReceipt
        name = "GoodsReceipt"
        fields = ("id", "reference", "received_at", "received_by", "lead_time_days")

    @staticmethod
    def resolve_lines(root: GoodsReceipt, info: Any) -> list[GoodsReceiptLine]:
        return list(root.lines.all())


class SupplierReturnType(DjangoObjectType):
    class Meta:
        model = SupplierReturn
        name = "SupplierReturn"
        fields = ("id", "reference", "reason", "returned_at", "returned_by")
