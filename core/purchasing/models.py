"""Purchase orders (采购订单), goods receipts (收货), supplier returns (退货) and the tenant's purchasing settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.events.documents import StatefulDocument

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class PurchaseOrderState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent to supplier"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


S = PurchaseOrderState
# Quantities still to come count in inventory position (open purchase quantity) only in these states.
OPEN_STATES = (S.SUBMITTED, S.APPROVED, S.SENT, S.PARTIALLY_RECEIVED)
RECEIVABLE_STATES = (S.SENT, S.PARTIALLY_RECEIVED)


class PurchasingSettings(models.Model):
    """The tenant's purchasing policy: one row per schema (a singleton, pk=1)."""

    # An order whose total reaches the threshold waits in `submitted` for a manager; below it is auto-approved.
    approval_threshold = models.DecimalField(**MONEY, default=Decimal("10000.00"))
    # How far above the ordered quantity a receipt may go, in percent (suppliers round up to full cases).
    over_receipt_tolerance_percent = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("5.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "purchasing settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="purchasing_settings_singleton")]

    def __str__(self) -> str:
        return f"approval ≥ {self.approval_threshold}, tolerance {self.over_receipt_tolerance_percent}%"


class PurchaseOrder(StatefulDocument):
    SUBJECT_TYPE = "purchase_order"
    TRANSITIONS = {
        S.DRAFT: (S.SUBMITTED, S.CANCELLED),
        S.SUBMITTED: (S.APPROVED, S.CANCELLED),
        S.APPROVED: (S.SENT, S.CANCELLED),
        S.SENT: (S.PARTIALLY_RECEIVED, S.RECEIVED, S.CANCELLED),
        S.PARTIALLY_RECEIVED: (S.PARTIALLY_RECEIVED, S.RECEIVED, S.CLOSED),
        S.RECEIVED: (S.CLOSED,),
        S.CLOSED: (),
        S.CANCELLED: (),
    }
    BLOCKING_REASONS = {S.SUBMITTED: "awaiting_approval", S.APPROVED: "awaiting_supplier", S.SENT: "awaiting_supplier"}
    # A rule's approval of the submission is the approval: the order goes on to approved by itself.
    APPROVAL_CONTINUES = {S.SUBMITTED: S.APPROVED}

    number = models.CharField(max_length=32, unique=True)
    supplier = models.ForeignKey("partners.Supplier", on_delete=models.PROTECT, related_name="purchase_orders")
    destination = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=32, choices=PurchaseOrderState.choices, default=S.DRAFT, db_index=True)
    currency = models.CharField(max_length=3, default="CNY")
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    expected_date = models.DateField(null=True, blank=True)
    urgent = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the start of the supplier's lead time

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("supplier", "state"), name="purchasing_po_supplier_state")]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # in `unit`
    unit_price = models.DecimalField(**QTY, default=Decimal("0"))  # per `unit`
    # How many base units one `unit` holds, fixed when the line is written so later catalog edits do not
    # change what was ordered.
    unit_factor = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal("1"))
    received_quantity = models.DecimalField(**QTY, default=Decimal("0"))  # in `unit`

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_poline_quantity_positive"),
            models.CheckConstraint(condition=Q(received_quantity__gte=0), name="purchasing_poline_received_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}: {self.quantity} × item {self.item_id}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal("0"))

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


class GoodsReceipt(models.Model):
    """One delivery received against a purchase order. `reference` is the receipt's idempotency key:
    submitting the same receipt twice finds this row and posts nothing."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    reference = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.CharField(max_length=200, blank=True)
    posting_key = models.CharField(max_length=200)
    lead_time_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("received_at", "pk")

    def __str__(self) -> str:
        return f"GR {self.reference}"


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(**QTY)  # in the order line's unit
    lot_code = models.CharField(max_length=64, blank=True)
    expiry_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("pk",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_grline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.quantity} of line {self.order_line_id}"


class SupplierReturn(models.Model):
    """Goods sent back to a supplier (采购退货): posts the source location → the supplier location."""

    reference = models.CharField(max_length=100, unique=True)
    supplier = models.ForeignKey("partners.Supplier", on_delete=models.PROTECT, related_name="returns")
    purchase_order = models.ForeignKey(PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="returns")
    source = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    returned_at = models.DateTimeField(default=timezone.now)
    returned_by = models.CharField(max_length=200, blank=True)
    posting_key = models.CharField(max_length=200)

    class Meta:
        ordering = ("-returned_at", "-pk")

    def __str__(self) -> str:
        return f"RTV {self.reference}"


class SupplierReturnLine(models.Model):
    supplier_return = models.ForeignKey(SupplierReturn, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # base units
    lot_code = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("pk",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_rtvline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.supplier_return_id}: {self.quantity} × item {self.item_id}"
