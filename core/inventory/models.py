"""The stock ledger: lots, postings, append-only stock moves, levels, valuation and reservations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.db import models

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
COST: dict[str, Any] = {"max_digits": 18, "decimal_places": 6}
MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 4}
ZERO = Decimal("0")


class AppendOnlyError(RuntimeError):
    """A stock move was about to be changed or deleted; corrections are reversing postings."""


class Lot(models.Model):
    """A batch (批次) of one item, with its expiry and the cost it was received at (for FIFO-by-lot)."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(max_length=80)
    expiry_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField()
    unit_cost = models.DecimalField(**COST, null=True, blank=True)

    class Meta:
        ordering = ("item", "received_at", "pk")
        constraints = [models.UniqueConstraint(fields=("item", "code"), name="inventory_lot_unique_item_code")]
        indexes = [models.Index(fields=("item", "expiry_date"))]

    def __str__(self) -> str:
        return self.code


class Posting(models.Model):
    """One atomic ledger entry (过账): the moves a document caused, claimed by a unique idempotency key."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    # sha256 of what was asked (lines, document, reference): the same key with another payload is refused.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    document_type = models.CharField(max_length=40, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(max_length=200, default="system")
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    posted_at = models.DateTimeField()
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")

    class Meta:
        ordering = ("-posted_at", "-pk")
        indexes = [models.Index(fields=("document_type", "document_id"))]

    def __str__(self) -> str:
        return self.idempotency_key


class StockMoveQuerySet(models.QuerySet["StockMove"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Stock moves are append-only; post a reversal instead.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Stock moves are append-only; post a reversal instead.")


class StockMove(models.Model):
    """One movement of a quantity (in the base unit) from one location to another. Never updated or deleted:
    the model refuses, and a database trigger refuses any UPDATE or DELETE that gets past the ORM."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="moves")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(**COST)
    value = models.DecimalField(**MONEY)
    # The item's moving-average cost right after this move: backdated postings read the history from it.
    item_average_cost = models.DecimalField(**COST)
    document_type = models.CharField(max_length=40, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    posted_at = models.DateTimeField()
    actor = models.CharField(max_length=200)

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        ordering = ("occurred_at", "pk")
        indexes = [
            models.Index(fields=("item", "occurred_at")),
            models.Index(fields=("from_location", "item")),
            models.Index(fields=("to_location", "item")),
            models.Index(fields=("document_type", "document_id")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="inventory_stockmove_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_location=models.F("to_location")), name="inventory_stockmove_distinct_locations"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}: {self.from_location_id} → {self.to_location_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Stock moves are append-only; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Stock moves are append-only; post a reversal instead.")


class StockLevel(models.Model):
    """On hand and reserved per item × location × lot, kept in step with the moves in the same transaction.

    Only stock-holding locations (internal, transit) have levels; virtual counterparties never do."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_hand = models.DecimalField(**QTY, default=ZERO)
    reserved = models.DecimalField(**QTY, default=ZERO)

    class Meta:
        ordering = ("item", "location", "lot")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "location", "lot"), name="inventory_stocklevel_unique_item_location_lot", nulls_distinct=False
            ),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="inventory_stocklevel_reserved_not_negative"),
        ]
        indexes = [models.Index(fields=("location", "item"))]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.location_id}/{self.lot_id}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class ItemValuation(models.Model):
    """The item's stock value across the stock-holding locations (moving average or FIFO by lot)."""

    item = models.OneToOneField("catalog.Item", primary_key=True, on_delete=models.PROTECT, related_name="valuation")
    on_hand = models.DecimalField(**QTY, default=ZERO)
    average_cost = models.DecimalField(**COST, default=ZERO)
    inventory_value = models.DecimalField(**MONEY, default=ZERO)
    last_occurred_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.item_id}: {self.on_hand} @ {self.average_cost} = {self.inventory_value}"


class ValuationAdjustment(models.Model):
    """The cost difference of a backdated move, booked instead of reposting history (no repost storm).

    `amount` = quantity × (historical_unit_cost − posted_unit_cost), signed positive when the stock leaving was
    worth more at the time it happened than it was valued at posting: a cost-variance entry for accounting."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="valuation_adjustments")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    quantity = models.DecimalField(**QTY)
    posted_unit_cost = models.DecimalField(**COST)
    historical_unit_cost = models.DecimalField(**COST)
    amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.amount}"


class ReservationState(models.TextChoices):
    ACTIVE = "active", "Active"
    CONSUMED = "consumed", "Consumed"
    RELEASED = "released", "Released"


class Reservation(models.Model):
    """Stock promised to a document (预留), held against one level."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    reference = models.CharField(max_length=200, db_index=True)
    state = models.CharField(max_length=10, choices=ReservationState.choices, default=ReservationState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="inventory_reservation_quantity_positive"),
        ]
        indexes = [models.Index(fields=("item", "location", "state"))]

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} × {self.item_id}@{self.location_id} ({self.state})"
