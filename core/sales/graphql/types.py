"""GraphQL types of sales: sales orders with their lines and backorders, shipments, customer returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from core.graphql.documents import DocumentLineFields
from core.locations.graphql.types import LocationType
from core.partners.graphql.types import CustomerType
from core.sales.graphql.dataloaders import BackorderByLineLoader, SalesOrderBlockingLoader, SalesOrderLinesLoader
from core.sales.models import BackorderState, CustomerReturn, SalesOrder, SalesOrderLine, Shipment


class SalesOrderLineType(DocumentLineFields, DjangoObjectType):
    item_name = graphene.String(required=True)
    backordered_quantity = graphene.Decimal(required=True, description="Base units still awaiting stock.")
    line_total = graphene.Decimal(required=True)

    class Meta:
        model = SalesOrderLine
        name = "SalesOrderLine"
        fields = ("id", "quantity", "unit_price", "allocated_quantity", "shipped_quantity")
        interfaces = (graphene.relay.Node,)

    @staticmethod
    def resolve_backordered_quantity(root: SalesOrderLine, info: Any) -> Decimal:
        backorder = BackorderByLineLoader.for_request(info).load(root.pk)
        return backorder.quantity if backorder is not None and backorder.state == BackorderState.OPEN else Decimal("0")

    @staticmethod
    def resolve_line_total(root: SalesOrderLine, info: Any) -> Decimal:
        return root.line_total


class SalesOrderType(DjangoObjectType):
    source = graphene.Field(LocationType, required=True)
    customer = graphene.Field(CustomerType, required=True)
    customer_id = graphene.ID(required=True)
    customer_name = graphene.String(required=True)
    source_id = graphene.ID(required=True)
    source_code = graphene.String(required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    lines = graphene.List(graphene.NonNull(SalesOrderLineType), required=True)
    blocking_reason = graphene.String(required=True, description='Why the order is stuck now, e.g. "awaiting_stock"; "" if not.')
    allowed_transitions = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = SalesOrder
        name = "SalesOrder"
        fields = (
            "id",
            "number",
            "state",
            "state_changed_at",
            "shipping_address",
            "shipping_method",
            "currency",
            "total",
            "notes",
            "created_at",
            "created_by",
        )
        convert_choices_to_enum = False
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @classmethod
    def prepare_page(cls, nodes: list[SalesOrder], info: Any) -> None:
        keys = [node.pk for node in nodes]
        SalesOrderLinesLoader.for_request(info).queue(keys)
        SalesOrderBlockingLoader.for_request(info).queue(keys)

    @classmethod
    def get_queryset(cls, queryset: Any, info: Any) -> Any:
        return queryset.select_related("customer", "source")

    @staticmethod
    def resolve_customer(root: Any, info: Any) -> Any:
        return root.customer  # joined by get_queryset

    @staticmethod
    def resolve_customer_id(root: SalesOrder, info: Any) -> int:
        return root.customer_id

    @staticmethod
    def resolve_customer_name(root: SalesOrder, info: Any) -> str:
        return root.customer.name

    @staticmethod
    def resolve_source(root: Any, info: Any) -> Any:
        return root.source  # joined by get_queryset

    @staticmethod
    def resolve_source_id(root: SalesOrder, info: Any) -> int:
        return root.source_id

    @staticmethod
    def resolve_source_code(root: SalesOrder, info: Any) -> str:
        return root.source.code

    @staticmethod
    def resolve_tags(root: SalesOrder, info: Any) -> list[str]:
        return [str(tag) for tag in root.tags or []]

    @staticmethod
    def resolve_lines(root: SalesOrder, info: Any) -> list[SalesOrderLine]:
        return SalesOrderLinesLoader.for_request(info).load(root.pk) or []

    @staticmethod
    def resolve_blocking_reason(root: SalesOrder, info: Any) -> str:
        return SalesOrderBlockingLoader.for_request(info).load(root.pk) or ""

    @staticmethod
    def resolve_allowed_transitions(root: SalesOrder, info: Any) -> tuple[str, ...]:
        return root.allowed_transitions()


class ShipmentType(DjangoObjectType):
    class Meta:
        model = Shipment
        name = "Shipment"
        fields = ("id", "carrier", "tracking_number", "shipped_at", "shipped_by")


class CustomerReturnType(DjangoObjectType):
    class Meta:
        model = CustomerReturn
        name = "CustomerReturn"
        fields = ("id", "reference", "reason", "returned_at", "received_by")
