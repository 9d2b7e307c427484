"""The company's own display settings (one row per tenant schema)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CompanySettings(models.Model):
    """Chosen at signup: the currency every amount of this company is shown and ordered in."""

    currency = models.CharField(max_length=3, default="CNY")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "company settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="web_company_settings_singleton")]

    def __str__(self) -> str:
        return f"company settings ({self.currency})"
