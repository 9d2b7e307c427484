"""Sales mutations, one per document action (clerks operate them all). Domain errors come back typed:
INVALID_TRANSITION, INSUFFICIENT_STOCK, NOT_FULLY_ALLOCATED, ..."""

from __future__ import annotations

import uuid
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.documents import DocumentAction, DocumentReasonArguments
from core.graphql.lookups import object_by_id, pk_from_id, require_pk
from core.locations.models import Location
from core.partners.models import Customer
from core.sales import services
from core.sales.exceptions import UnknownOrderLine
from core.sales.graphql.types import CustomerReturnType, SalesOrderType, ShipmentType
from tenants.accounts.roles import Permission


def _line_pk(value: Any, field: str, type_name: str | None = None) -> int:
    return require_pk(value, field, type_name, UnknownOrderLine)


class SalesOrderLineInput(graphene.InputObjectType):
    item_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True)
    unit_price = graphene.Decimal()
    unit_id = graphene.ID(description="Defaults to the item's base unit.")


class CustomerReturnLineInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True, description="In the item's base unit.")
    lot_code = graphene.String()


class SalesOrderMutation(DocumentAction):
    """Base for the single-order actions: returns the order after the action."""

    sales_order = graphene.Field(SalesOrderType)
    document_type = SalesOrderType
    document_field = "sales_order"

    class Meta:
        abstract = True


class CreateSalesOrder(SalesOrderMutation):
    class Arguments:
        customer_id = graphene.ID(required=True)
        source_id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(SalesOrderLineInput), required=True)
        shipping_address = graphene.String()
        shipping_method = graphene.String()
        tags = graphene.List(graphene.NonNull(graphene.String))
        currency = graphene.String()
        notes = graphene.String()

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateSalesOrder:
        order = services.create_sales_order(
            customer=object_by_id(Customer, data["customer_id"], "customerId", "Customer"),
            source=object_by_id(Location, data["source_id"], "sourceId", "Location"),
            lines=[
                services.SalesLineInput(
                    item_id=_line_pk(line["item_id"], "lines", "Item"),
                    quantity=line["quantity"],
                    unit_price=line.get("unit_price") or services.ZERO,
                    unit_id=pk_from_id(line["unit_id"], "Unit") if line.get("unit_id") else None,
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            shipping_address=data.get("shipping_address") or "",
            shipping_method=data.get("shipping_method") or "",
            tags=data.get("tags") or (),
            currency=data.get("currency") or "CNY",
            notes=data.get("notes") or "",
        )
        return cls(sales_order=order, errors=[])


class ConfirmSalesOrder(SalesOrderMutation):
    service = services.confirm_sales_order


class AllocateSalesOrder(SalesOrderMutation):
    """Reserve stock; what is short is backordered and the order waits (awaiting_stock). Run again to top up."""

    service = services.allocate_sales_order


class PickSalesOrder(SalesOrderMutation):
    service = services.pick_sales_order


class ShipSalesOrder(SalesOrderMutation):
    """Post the shipment, consuming the reservations; retrying ships nothing twice."""

    shipment = graphene.Field(ShipmentType)

    class Arguments:
        id = graphene.ID(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ShipSalesOrder:
        order = cls.document(data["id"])
        shipment = services.ship_sales_order(
            order,
            actor=actor_from_request(info.context),
            carrier=data.get("carrier") or "",
            tracking_number=data.get("tracking_number") or "",
        )
        order.refresh_from_db()
        return cls(sales_order=order, shipment=shipment, errors=[])


class DeliverSalesOrder(SalesOrderMutation):
    service = services.deliver_sales_order


class CloseSalesOrder(SalesOrderMutation):
    service = services.close_sales_order


class CancelSalesOrder(SalesOrderMutation):
    """Cancel and release every reservation and backorder held for the order."""

    Arguments = DocumentReasonArguments
    service = services.cancel_sales_order


class ReturnFromCustomer(SalesOrderMutation):
    customer_return = graphene.Field(CustomerReturnType)

    class Arguments:
        id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(CustomerReturnLineInput), required=True)
        destination_id = graphene.ID(description="Defaults to the order's source location.")
        reason = graphene.String()
        reference = graphene.String(description="The return's idempotency key (RMA number).")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReturnFromCustomer:
        order = cls.document(data["id"])
        destination = data.get("destination_id")
        customer_return = services.return_from_customer(
            order,
            [
                services.ReturnLineInput(
                    order_line_id=_line_pk(line["line_id"], "lines"),
                    quantity=line["quantity"],
                    lot_code=line.get("lot_code") or "",
                )
                for line in data["lines"]
            ],
            actor=actor_from_request(info.context),
            reference=data.get("reference") or f"rma-{uuid.uuid4().hex}",
            destination=object_by_id(Location, destination, "destinationId", "Location") if destination else None,
            reason=data.get("reason") or "",
        )
        return cls(sales_order=order, customer_return=customer_return, errors=[])


class SalesMutations(graphene.ObjectType):
    create_sales_order = CreateSalesOrder.Field()
    confirm_sales_order = ConfirmSalesOrder.Field()
    allocate_sales_order = AllocateSalesOrder.Field()
    pick_sales_order = PickSalesOrder.Field()
    ship_sales_order = ShipSalesOrder.Field()
    deliver_sales_order = DeliverSalesOrder.Field()
    close_sales_order = CloseSalesOrder.Field()
    cancel_sales_order = CancelSalesOrder.Field()
    return_from_customer = ReturnFromCustomer.Field()
