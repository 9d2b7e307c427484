"""Purchasing mutations, one per document action. Clerks create, send, receive and return; managers approve,
cancel and close. Domain errors come back as typed `errors { field message code }`."""

from __future__ import annotations

import uuid
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.documents import DocumentAction, DocumentReasonArguments
from core.graphql.lookups import object_by_id, pk_from_id, require_pk
from core.locations.models import Location
from core.partners.models import Supplier
from core.purchasing import services
from core.purchasing.exceptions import UnknownOrderLine
from core.purchasing.graphql.types import GoodsReceiptType, PurchaseOrderType, SupplierReturnType
from core.purchasing.models import PurchaseOrder
from tenants.accounts.roles import Permission


def _line_pk(value: Any, field: str, type_name: str | None = None) -> int:
    return require_pk(value, field, type_name, UnknownOrderLine)


class PurchaseOrderLineInput(graphene.InputObjectType):
    item_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True)
    unit_price = graphene.Decimal()
    unit_id = graphene.ID(description="Defaults to the item's base unit.")


class ReceiptLineInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True, description="The purchase order line received against.")
    quantity = graphene.Decimal(required=True, description="In the order line's unit.")
    lot_code = graphene.String(description="Required for lot-tracked items.")
    expiry_date = graphene.Date(description="Required for items with a shelf life.")


class ReturnLineInput(graphene.InputObjectType):
    item_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True, description="In the item's base unit.")
    lot_code = graphene.String()


class PurchaseOrderMutation(DocumentAction):
    """Base for the single-order actions: returns the order after the action."""

    purchase_order = graphene.Field(PurchaseOrderType)
    document_type = PurchaseOrderType
    document_field = "purchase_order"

    class Meta:
        abstract = True


class CreatePurchaseOrder(PurchaseOrderMutation):
    class Arguments:
        supplier_id = graphene.ID(required=True)
        destination_id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(PurchaseOrderLineInput), required=True)
        currency = graphene.String()
        expected_date = graphene.Date()
        urgent = graphene.Boolean()
        notes = graphene.String()

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreatePurchaseOrder:
        po = services.create_purchase_order(
            supplier=object_by_id(Supplier, data["supplier_id"], "supplierId", "Supplier"),
            destination=object_by_id(Location, data["destination_id"], "destinationId", "Location"),
            lines=[
                services.OrderLineInput(
                    item_id=_line_pk(line["item_id"], "lines", "Item"),
                    quantity=line["quantity"],
                    unit_price=line.get("unit_price") or services.ZERO,
                    unit_id=pk_from_id(line["unit_id"], "Unit") if line.get("unit_id") else None,
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            currency=data.get("currency") or "CNY",
            expected_date=data.get("expected_date"),
            urgent=bool(data.get("urgent")),
            notes=data.get("notes") or "",
        )
        return cls(purchase_order=po, errors=[])


class SubmitPurchaseOrder(PurchaseOrderMutation):
    """Submit for approval; below the tenant's threshold the order is approved at once."""

    service = services.submit_purchase_order

    class Meta:
        permissions = (Permission.OPERATE,)


class ApprovePurchaseOrder(PurchaseOrderMutation):
    service = services.approve_purchase_order

    class Meta:
        permissions = (Permission.MANAGE,)


class SendPurchaseOrder(PurchaseOrderMutation):
    service = services.send_purchase_order

    class Meta:
        permissions = (Permission.OPERATE,)


class ReceivePurchaseOrder(PurchaseOrderMutation):
    """Post a goods receipt. Send the same `reference` when retrying: the receipt is then posted once."""

    receipt = graphene.Field(GoodsReceiptType)

    class Arguments:
        id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(ReceiptLineInput), required=True)
        reference = graphene.String(description="The receipt's idempotency key (delivery note, scan session).")

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReceivePurchaseOrder:
        po = cls.document(data["id"])
        receipt = services.receive_purchase_order(
            po,
            [
                services.ReceiptLineInput(
                    order_line_id=_line_pk(line["line_id"], "lines"),
                    quantity=line["quantity"],
                    lot_code=line.get("lot_code") or "",
                    expiry_date=line.get("expiry_date"),
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            reference=data.get("reference") or f"gr-{uuid.uuid4().hex}",
        )
        po.refresh_from_db()
        return cls(purchase_order=po, receipt=receipt, errors=[])


class CancelPurchaseOrder(PurchaseOrderMutation):
    Arguments = DocumentReasonArguments
    service = services.cancel_purchase_order

    class Meta:
        permissions = (Permission.MANAGE,)


class ClosePurchaseOrder(PurchaseOrderMutation):
    """Close a received order, or short-close a partly received one (the rest is no longer expected)."""

    Arguments = DocumentReasonArguments
    service = services.close_purchase_order

    class Meta:
        permissions = (Permission.MANAGE,)


class ReturnToSupplier(BaseMutation):
    supplier_return = graphene.Field(SupplierReturnType)

    class Arguments:
        supplier_id = graphene.ID(required=True)
        source_id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(ReturnLineInput), required=True)
        purchase_order_id = graphene.ID()
        reason = graphene.String()
        reference = graphene.String(description="The return's idempotency key.")

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReturnToSupplier:
        po_id = data.get("purchase_order_id")
        supplier_return = services.return_to_supplier(
            supplier=object_by_id(Supplier, data["supplier_id"], "supplierId", "Supplier"),
            source=object_by_id(Location, data["source_id"], "sourceId", "Location"),
            lines=[
                services.ReturnLineInput(
                    item_id=_line_pk(line["item_id"], "lines", "Item"),
                    quantity=line["quantity"],
                    lot_code=line.get("lot_code") or "",
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            reference=data.get("reference") or f"rtv-{uuid.uuid4().hex}",
            purchase_order=object_by_id(PurchaseOrder, po_id, "purchaseOrderId", PurchaseOrderType._meta.name) if po_id else None,
            reason=data.get("reason") or "",
        )
        return cls(supplier_return=supplier_return, errors=[])


class PurchasingMutations(graphene.ObjectType):
    create_purchase_order = CreatePurchaseOrder.Field()
    submit_purchase_order = SubmitPurchaseOrder.Field()
    approve_purchase_order = ApprovePurchaseOrder.Field()
    send_purchase_order = SendPurchaseOrder.Field()
    receive_purchase_order = ReceivePurchaseOrder.Field()
    cancel_purchase_order = CancelPurchaseOrder.Field()
    close_purchase_order = ClosePurchaseOrder.Field()
    return_to_supplier = ReturnToSupplier.Field()
