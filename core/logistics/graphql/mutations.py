"""Logistics mutations: create, ship, receive (with discrepancies), cancel a transfer; track a PO shipment."""

from __future__ import annotations

from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.documents import DocumentAction, DocumentReasonArguments
from core.graphql.lookups import object_by_id, pk_from_id, require_pk
from core.locations.models import Location
from core.logistics import services
from core.logistics.exceptions import UnknownTransferLine
from core.logistics.graphql.types import InboundShipmentType, TransferType
from core.purchasing.models import PurchaseOrder


def _line_pk(value: Any, field: str, type_name: str | None = None) -> int:
    return require_pk(value, field, type_name, UnknownTransferLine)


class TransferLineInput(graphene.InputObjectType):
    item_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True, description="In the item's base unit.")
    lot_id = graphene.ID(description="A specific lot; omitted, lots leave by the item's removal strategy.")


class ReceivedLineInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True, description="What actually arrived.")
    reason = graphene.String(description="damaged, lost, short_shipped, over_shipped or other.")
    note = graphene.String()


class TransferMutation(DocumentAction):
    """Base for the single-transfer actions: returns the transfer after the action."""

    transfer = graphene.Field(TransferType)
    document_type = TransferType
    document_field = "transfer"

    class Meta:
        abstract = True


class CreateTransfer(TransferMutation):
    class Arguments:
        from_location_id = graphene.ID(required=True)
        to_location_id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(TransferLineInput), required=True)
        notes = graphene.String()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateTransfer:
        transfer = services.create_transfer(
            from_location=object_by_id(Location, data["from_location_id"], "fromLocationId", "Location"),
            to_location=object_by_id(Location, data["to_location_id"], "toLocationId", "Location"),
            lines=[
                services.TransferLineInput(
                    item_id=_line_pk(line["item_id"], "lines", "Item"),
                    quantity=line["quantity"],
                    lot_id=pk_from_id(line["lot_id"], "Lot") if line.get("lot_id") else None,
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            notes=data.get("notes") or "",
        )
        return cls(transfer=transfer, errors=[])


class ShipTransfer(TransferMutation):
    """Ship: the goods move into a transit location headed for the destination (在途)."""

    class Arguments:
        id = graphene.ID(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String()
        eta = graphene.DateTime()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ShipTransfer:
        transfer = services.ship_transfer(
            cls.document(data["id"]),
            actor=actor_from_request(info.context),
            carrier=data.get("carrier") or "",
            tracking_number=data.get("tracking_number") or "",
            eta=data.get("eta"),
        )
        return cls(transfer=transfer, errors=[])


class ReceiveTransfer(TransferMutation):
    """Receive: lines not listed arrived in full; a listed line short or over records a discrepancy."""

    class Arguments:
        id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(ReceivedLineInput))

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReceiveTransfer:
        transfer = services.receive_transfer(
            cls.document(data["id"]),
            actor=actor_from_request(info.context),
            received=[
                services.ReceivedLineInput(
                    line_id=_line_pk(line["line_id"], "lines"),
                    quantity=line["quantity"],
                    reason=line.get("reason") or "",
                    note=line.get("note") or "",
                )
                for line in data.get("lines") or ()
            ],
        )
        return cls(transfer=transfer, errors=[])


class CancelTransfer(TransferMutation):
    Arguments = DocumentReasonArguments
    service = services.cancel_transfer


class MarkPurchaseOrderInTransit(BaseMutation):
    """The supplier shipped: record carrier, tracking and ETA. Moves no stock (position counts the PO once)."""

    inbound_shipment = graphene.Field(InboundShipmentType)

    class Arguments:
        purchase_order_id = graphene.ID(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String()
        eta = graphene.DateTime()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> MarkPurchaseOrderInTransit:
        shipment = services.mark_purchase_in_transit(
            object_by_id(PurchaseOrder, data["purchase_order_id"], "purchaseOrderId", "PurchaseOrder"),
            actor=actor_from_request(info.context),
            carrier=data.get("carrier") or "",
            tracking_number=data.get("tracking_number") or "",
            eta=data.get("eta"),
        )
        return cls(inbound_shipment=shipment, errors=[])


class LogisticsMutations(graphene.ObjectType):
    create_transfer = CreateTransfer.Field()
    ship_transfer = ShipTransfer.Field()
    receive_transfer = ReceiveTransfer.Field()
    cancel_transfer = CancelTransfer.Field()
    mark_purchase_order_in_transit = MarkPurchaseOrderInTransit.Field()
