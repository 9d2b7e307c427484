"""Tenant-side ML records: an uploaded sales history, its validated rows, and its fine-tuning progress."""

from __future__ import annotations

from typing import Any

from django.db import models

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    REJECTED = "rejected", "Rejected"
    VALIDATED = "validated", "Validated"
    TRAINING = "training", "Training"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SalesHistoryUpload(models.Model):
    """One uploaded sales-history file (CSV: date, sku, location, quantity[, price][, promo]).

    A rejected file keeps only this record with its row-level `errors` ([{row, column, message}]); nothing is
    stored or imported. A validated file is kept in the default storage under `tenants/<schema>/uploads/`
    and its rows are saved as SalesHistoryRow, which the fine-tuning task reads (the file is the audit copy).
    """

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    storage_key = models.CharField(max_length=500, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    module = models.CharField(max_length=40, default="core")
    progress_percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    metrics = models.JSONField(default=dict, blank=True)  # before/after WAPE against the baselines
    model_name = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    promoted = models.BooleanField(default=False)
    created_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class SalesHistoryRow(models.Model):
    """One validated day of sales for an item at a location, from an upload."""

    upload = models.ForeignKey(SalesHistoryUpload, on_delete=models.CASCADE, related_name="rows")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    quantity = models.DecimalField(**QTY)
    price = models.DecimalField(null=True, blank=True, **QTY)
    promo = models.BooleanField(default=False)

    class Meta:
        ordering = ("upload", "item", "location", "date")
        constraints = [
            models.UniqueConstraint(fields=("upload", "item", "location", "date"), name="ml_models_sales_row_unique_day"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="ml_models_sales_row_quantity_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.quantity}"
