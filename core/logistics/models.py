"""Transfers between locations (调拨) with goods in transit (在途), their discrepancies, and inbound PO shipments."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.events.documents import StatefulDocument

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


class TransferState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHIPPED = "shipped", "Shipped (in transit)"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


T = TransferState


class TransferOrder(StatefulDocument):
    """Stock moving from one location to another. Shipping moves it into a transit location made for this
    transfer, whose goods count in the destination's inventory position until they are received."""

    SUBJECT_TYPE = "transfer"
    TRANSITIONS = {
        T.DRAFT: (T.SHIPPED, T.CANCELLED),
        T.SHIPPED: (T.RECEIVED,),
        T.RECEIVED: (T.CLOSED,),
        T.CLOSED: (),
        T.CANCELLED: (),
    }
    BLOCKING_REASONS = {T.SHIPPED: "awaiting_carrier"}

    number = models.CharField(max_length=32, unique=True)
    from_location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    transit_location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=32, choices=TransferState.choices, default=T.DRAFT, db_index=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    eta = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.CharField(max_length=200, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_location=models.F("to_location")), name="logistics_transfer_distinct_locations"
            )
        ]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(TransferOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # base units requested
    shipped_quantity = models.DecimalField(**QTY, null=True, blank=True)
    received_quantity = models.DecimalField(**QTY, null=True, blank=True)

    class Meta:
        ordering = ("pk",)
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="logistics_transferline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.quantity} × item {self.item_id}"


class DiscrepancyReason(models.TextChoices):
    DAMAGED = "damaged", "Damaged in transit"
    LOST = "lost", "Lost in transit"
    SHORT_SHIPPED = "short_shipped", "Short shipped"
    OVER_SHIPPED = "over_shipped", "Over shipped"
    OTHER = "other", "Other"


class TransferDiscrepancy(models.Model):
    """A line received short or over: the difference was booked to or from the inventory-loss location."""

    line = models.OneToOneField(TransferLine, on_delete=models.CASCADE, related_name="discrepancy")
    shipped_quantity = models.DecimalField(**QTY)
    received_quantity = models.DecimalField(**QTY)
    difference = models.DecimalField(**QTY)  # shipped − received: positive is a loss, negative a surplus
    reason = models.CharField(max_length=20, choices=DiscrepancyReason.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("pk",)
        verbose_name_plural = "transfer discrepancies"

    def __str__(self) -> str:
        return f"line {self.line_id}: {self.difference} ({self.reason})"


class InboundShipmentState(models.TextChoices):
    IN_TRANSIT = "in_transit", "In transit"
    ARRIVED = "arrived", "Arrived"
    CANCELLED = "cancelled", "Cancelled"


class InboundShipment(models.Model):
    """A supplier's shipment against a purchase order: carrier, tracking and ETA for visibility.

    It moves no stock: the goods stay in the PO's open quantity until received, so inventory position
    counts them once (never also as in transit)."""

    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", on_delete=models.PROTECT, related_name="inbound_shipments")
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    eta = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=InboundShipmentState.choices, default=InboundShipmentState.IN_TRANSIT)
    shipped_at = models.DateTimeField(default=timezone.now)
    arrived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-shipped_at", "-pk")

    def __str__(self) -> str:
        return f"inbound {self.purchase_order_id} via {self.carrier or '?'}"
