"""The log of bulk imports: what was uploaded, by whom, and every problem found."""

from __future__ import annotations

from django.db import models


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected"


class ImportJob(models.Model):
    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    row_count = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "quantity", "message": "must be greater than 0"}, ...]
    errors = models.JSONField(default=list, blank=True)
    actor = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            # The same file imported twice (a double submit) is one import: the second finds the first.
            models.UniqueConstraint(
                fields=("kind", "sha256"), condition=models.Q(status="imported"), name="imports_one_import_per_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"
