"""Cycle counts (盘点): a location's lines, the system quantity frozen when counting starts, and what was counted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.events.documents import StatefulDocument

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


class CycleCountState(models.TextChoices):
    DRAFT = "draft", "Draft"
    COUNTING = "counting", "Counting"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


C = CycleCountState


class AdjustmentReason(models.TextChoices):
    """Why a counted quantity differs from the books; losses go to, finds come from, inventory_loss."""

    DAMAGE = "damage", "Damage"
    EXPIRY = "expiry", "Expiry"
    LOSS = "loss", "Loss"
    FOUND = "found", "Found"


class CycleCount(StatefulDocument):
    SUBJECT_TYPE = "cycle_count"
    TRANSITIONS = {
        C.DRAFT: (C.COUNTING, C.CANCELLED),
        C.COUNTING: (C.COMPLETED, C.CANCELLED),
        C.COMPLETED: (),
        C.CANCELLED: (),
    }
    BLOCKING_REASONS = {C.COUNTING: "awaiting_count"}

    number = models.CharField(max_length=32, unique=True)
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=32, choices=CycleCountState.choices, default=C.DRAFT, db_index=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.number


class CycleCountLine(models.Model):
    cycle_count = models.ForeignKey(CycleCount, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The book quantity when counting started: the adjustment is counted − this, and accuracy compares the two.
    system_quantity = models.DecimalField(**QTY, null=True, blank=True)
    counted_quantity = models.DecimalField(**QTY, null=True, blank=True)
    reason = models.CharField(max_length=10, choices=AdjustmentReason.choices, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(
                fields=("cycle_count", "item", "lot"), name="counts_line_unique_item_lot", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(counted_quantity__gte=0), name="counts_line_counted_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_count_id}: item {self.item_id} lot {self.lot_id}"

    @property
    def difference(self) -> Decimal | None:
        if self.counted_quantity is None or self.system_quantity is None:
            return None
        return self.counted_quantity - self.system_quantity
