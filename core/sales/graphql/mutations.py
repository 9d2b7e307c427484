"""Sales mutations, one per document action (clerks operate them all). Domain errors come back typed:
INVALID_TRANSITION, INSUFFICIENT_STOCK, NOT_FULLY_ALLOCATED, ..."""

from __future__ import annotations

import uuid
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.lookups import object_by_id, pk_from_id, require_pk
from core.locations.models import Location
from core.partners.models import Customer
from core.sales import services
from core.sales.exceptions import UnknownOrderLine
from core.sales.graphql.types import CustomerReturnType, SalesOrderType, ShipmentType
from core.sales.models import SalesOrder
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


def _order(value: Any) -> SalesOrder:
    return object_by_id(SalesOrder, value, "id", SalesOrderType._meta.name)


class SalesOrderMutation(BaseMutation):
    sales_order = graphene.Field(SalesOrderType)

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
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ConfirmSalesOrder:
        return cls(
            sales_order=services.confirm_sales_order(_order(data["id"]), actor=actor_from_request(info.context)), errors=[]
        )


class AllocateSalesOrder(SalesOrderMutation):
    """Reserve stock; what is short is backordered and the order waits (awaiting_stock). Run again to top up."""

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> AllocateSalesOrder:
        return cls(
            sales_order=services.allocate_sales_order(_order(data["id"]), actor=actor_from_request(info.context)), errors=[]
        )


class PickSalesOrder(SalesOrderMutation):
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> PickSalesOrder:
        return cls(sales_order=services.pick_sales_order(_order(data["id"]), actor=actor_from_request(info.context)), errors=[])


class ShipSalesOrder(SalesOrderMutation):
    """Post the shipment, consuming the reservations; retrying ships nothing twice."""

    shipment = graphene.Field(ShipmentType)

    class Arguments:
        id = graphene.ID(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ShipSalesOrder:
        order = _order(data["id"])
        shipment = services.ship_sales_order(
            order,
            actor=actor_from_request(info.context),
            carrier=data.get("carrier") or "",
            tracking_number=data.get("tracking_number") or "",
        )
        order.refresh_from_db()
        return cls(sales_order=order, shipment=shipment, errors=[])


class DeliverSalesOrder(SalesOrderMutation):
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DeliverSalesOrder:
        return cls(
            sales_order=services.deliver_sales_order(_order(data["id"]), actor=actor_from_request(info.context)), errors=[]
        )


class CloseSalesOrder(SalesOrderMutation):
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CloseSalesOrder:
        return cls(sales_order=services.close_sales_order(_order(data["id"]), actor=actor_from_request(info.context)), errors=[])


class CancelSalesOrder(SalesOrderMutation):
    """Cancel and release every reservation and backorder held for the order."""

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CancelSalesOrder:
        order = services.cancel_sales_order(
            _order(data["id"]), actor=actor_from_request(info.context), reason=data.get("reason") or ""
        )
        return cls(sales_order=order, errors=[])


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
        order = _order(data["id"])
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
