"""Trading partners: suppliers (供应商) and customers (客户)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Supplier(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    declared_lead_time_days = models.PositiveIntegerField(default=7)
    # Learned from receipts (Welford): replenishment uses them for the lead-time variability.
    learned_lead_time_mean_days = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    learned_lead_time_std_days = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    lead_time_m2 = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal("0"))
    lead_time_samples = models.PositiveIntegerField(default=0)
    moq = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="CNY")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerTier(models.TextChoices):
    STANDARD = "standard", "Standard"
    VIP = "vip", "VIP"
    WHOLESALE = "wholesale", "Wholesale"
    KEY_ACCOUNT = "key_account", "Key account"


class Customer(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    tier = models.CharField(max_length=20, choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    credit_limit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    addresses = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
