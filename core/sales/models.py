"""Sales orders (销售订单), their stock allocations and backorders (缺货), shipments and customer returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.events.documents import StatefulDocument

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class SalesOrderState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    ALLOCATED = "allocated", "Allocated"
    PICKING = "picking", "Picking"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


S = SalesOrderState
# Stock is held for the order (reservations, backorders) only in these states.
HOLDING_STATES = (S.CONFIRMED, S.ALLOCATED, S.PICKING)


class SalesOrder(StatefulDocument):
    SUBJECT_TYPE = "sales_order"
    TRANSITIONS = {
        S.DRAFT: (S.CONFIRMED, S.CANCELLED),
        S.CONFIRMED: (S.ALLOCATED, S.CANCELLED),
        S.ALLOCATED: (S.PICKING, S.CANCELLED),
        # back to allocated: part was shipped, the rest waits on its backorder (a partial shipment)
        S.PICKING: (S.SHIPPED, S.ALLOCATED, S.CANCELLED),
        S.SHIPPED: (S.DELIVERED,),
        S.DELIVERED: (S.CLOSED,),
        S.CLOSED: (),
        S.CANCELLED: (),
    }
    # awaiting_stock is not a state's reason: an allocation that comes up short sets it (set_blocking_reason).
    BLOCKING_REASONS = {S.PICKING: "awaiting_carrier"}

    number = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey("partners.Customer", on_delete=models.PROTECT, related_name="sales_orders")
    source = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=32, choices=SalesOrderState.choices, default=S.DRAFT, db_index=True)
    shipping_address = models.TextField(blank=True)
    shipping_method = models.CharField(max_length=60, blank=True)
    tags = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("customer", "state"), name="sales_so_customer_state")]

    def __str__(self) -> str:
        return self.number

    @property
    def reservation_reference(self) -> str:
        """What the ledger knows this order's reservations by: allocate adds to it, ship consumes it."""
        return f"so:{self.pk}"


class SalesOrderLine(models.Model):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # in `unit`
    unit_factor = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal("1"))
    unit_price = models.DecimalField(**QTY, default=Decimal("0"))
    # Base units reserved in the ledger under the order's reservation reference and not yet shipped.
    allocated_quantity = models.DecimalField(**QTY, default=Decimal("0"))
    shipped_quantity = models.DecimalField(**QTY, default=Decimal("0"))  # base units

    class Meta:
        ordering = ("pk",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_soline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.sales_order_id}: {self.quantity} × item {self.item_id}"

    @property
    def base_quantity(self) -> Decimal:
        return self.quantity * self.unit_factor

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


class BackorderState(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class Backorder(models.Model):
    """The part of a line the source location could not cover when the order was allocated (缺货待补).

    An open backorder lowers inventory position at the source, so replenishment orders it in."""

    line = models.OneToOneField(SalesOrderLine, on_delete=models.CASCADE, related_name="backorder")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # base units still missing
    state = models.CharField(max_length=10, choices=BackorderState.choices, default=BackorderState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "pk")
        indexes = [models.Index(fields=("state", "item", "location"), name="sales_backorder_open_idx")]

    def __str__(self) -> str:
        return f"backorder {self.quantity} × {self.item_id}@{self.location_id} ({self.state})"


class Shipment(models.Model):
    """Goods leaving for the customer: one ledger posting, source → customer location."""

    sales_order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="shipments")
    posting_key = models.CharField(max_length=200, unique=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    shipped_at = models.DateTimeField(default=timezone.now)
    shipped_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("shipped_at", "pk")

    def __str__(self) -> str:
        return self.posting_key


class CustomerReturn(models.Model):
    """Goods a customer sends back (销售退货): customer location → a stock location."""

    reference = models.CharField(max_length=100, unique=True)
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns")
    destination = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    returned_at = models.DateTimeField(default=timezone.now)
    received_by = models.CharField(max_length=200, blank=True)
    posting_key = models.CharField(max_length=200)

    class Meta:
        ordering = ("-returned_at", "-pk")

    def __str__(self) -> str:
        return f"RMA {self.reference}"


class CustomerReturnLine(models.Model):
    customer_return = models.ForeignKey(CustomerReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.DecimalField(**QTY)  # base units
    lot_code = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("pk",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_returnline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.customer_return_id}: {self.quantity} of line {self.order_line_id}"
