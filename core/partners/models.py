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


class SupplierItem(models.Model):
    """What a supplier sells an item for (供货条件): price, minimum order, pack size and lead time.

    Purchase order lines and replenishment read these terms; the supplier's own MOQ and declared lead
    time apply where an item has no terms of its own (null here)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="item_terms")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="supplier_terms")
    supplier_sku = models.CharField(max_length=64, blank=True)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    moq = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    pack_size = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("1"))
    lead_time_days = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("supplier", "item")
        constraints = [
            models.UniqueConstraint(fields=("supplier", "item"), name="partners_supplieritem_unique_supplier_item"),
            models.CheckConstraint(condition=models.Q(pack_size__gt=0), name="partners_supplieritem_pack_size_positive"),
            models.CheckConstraint(condition=models.Q(moq__gte=0), name="partners_supplieritem_moq_not_negative"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="partners_supplieritem_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}/{self.item_id}"
