"""GraphQL types of logistics: transfers with their lines and discrepancies, inbound PO shipments."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from core.graphql.documents import DocumentLineFields
from core.locations.graphql.types import LocationType
from core.logistics.graphql.dataloaders import DiscrepancyByLineLoader, TransferBlockingLoader, TransferLinesLoader
from core.logistics.models import InboundShipment, TransferDiscrepancy, TransferLine, TransferOrder


class TransferDiscrepancyType(DjangoObjectType):
    class Meta:
        model = TransferDiscrepancy
        name = "TransferDiscrepancy"
        fields = ("shipped_quantity", "received_quantity", "difference", "reason", "note", "recorded_at", "recorded_by")
        convert_choices_to_enum = False


class TransferLineType(DocumentLineFields, DjangoObjectType):
    lot_id = graphene.ID()
    discrepancy = graphene.Field(TransferDiscrepancyType)

    class Meta:
        model = TransferLine
        name = "TransferLine"
        fields = ("id", "quantity", "shipped_quantity", "received_quantity")
        interfaces = (graphene.relay.Node,)

    @staticmethod
    def resolve_discrepancy(root: TransferLine, info: Any) -> TransferDiscrepancy | None:
        return DiscrepancyByLineLoader.for_request(info).load(root.pk)


class TransferType(DjangoObjectType):
    to_location = graphene.Field(LocationType, required=True)
    from_location = graphene.Field(LocationType, required=True)
    from_location_id = graphene.ID(required=True)
    from_location_code = graphene.String(required=True)
    to_location_id = graphene.ID(required=True)
    to_location_code = graphene.String(required=True)
    transit_location_id = graphene.ID(description="The 在途 location made when the transfer shipped.")
    lines = graphene.List(graphene.NonNull(TransferLineType), required=True)
    blocking_reason = graphene.String(required=True)
    allowed_transitions = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = TransferOrder
        name = "Transfer"
        fields = (
            "id",
            "number",
            "state",
            "state_changed_at",
            "carrier",
            "tracking_number",
            "eta",
            "notes",
            "created_at",
            "created_by",
            "shipped_at",
            "received_at",
        )
        convert_choices_to_enum = False
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @classmethod
    def prepare_page(cls, nodes: list[TransferOrder], info: Any) -> None:
        keys = [node.pk for node in nodes]
        TransferLinesLoader.for_request(info).queue(keys)
        TransferBlockingLoader.for_request(info).queue(keys)

    @classmethod
    def get_queryset(cls, queryset: Any, info: Any) -> Any:
        return queryset.select_related("from_location", "to_location")

    @staticmethod
    def resolve_from_location(root: Any, info: Any) -> Any:
        return root.from_location  # joined by get_queryset

    @staticmethod
    def resolve_from_location_id(root: TransferOrder, info: Any) -> int:
        return root.from_location_id

    @staticmethod
    def resolve_from_location_code(root: TransferOrder, info: Any) -> str:
        return root.from_location.code

    @staticmethod
    def resolve_to_location(root: Any, info: Any) -> Any:
        return root.to_location  # joined by get_queryset

    @staticmethod
    def resolve_to_location_id(root: TransferOrder, info: Any) -> int:
        return root.to_location_id

    @staticmethod
    def resolve_to_location_code(root: TransferOrder, info: Any) -> str:
        return root.to_location.code

    @staticmethod
    def resolve_transit_location_id(root: TransferOrder, info: Any) -> int | None:
        return root.transit_location_id

    @staticmethod
    def resolve_lines(root: TransferOrder, info: Any) -> list[TransferLine]:
        return TransferLinesLoader.for_request(info).load(root.pk) or []

    @staticmethod
    def resolve_blocking_reason(root: TransferOrder, info: Any) -> str:
        return TransferBlockingLoader.for_request(info).load(root.pk) or ""

    @staticmethod
    def resolve_allowed_transitions(root: TransferOrder, info: Any) -> tuple[str, ...]:
        return root.allowed_transitions()


class InboundShipmentType(DjangoObjectType):
    purchase_order_id = graphene.ID(required=True)

    class Meta:
        model = InboundShipment
        name = "InboundShipment"
        fields = ("id", "carrier", "tracking_number", "eta", "state", "shipped_at", "arrived_at")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_purchase_order_id(root: InboundShipment, info: Any) -> int:
        return root.purchase_order_id
