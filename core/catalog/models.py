"""Catalog master data: categories, units of measure, items and their unit conversions."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Category(models.Model):
    """A node in the item category tree (品类)."""

    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [models.UniqueConstraint(fields=("parent", "name"), name="catalog_category_unique_name_per_parent")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of measure (计量单位), e.g. pcs, kg, box."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)  # archived units stay on old documents, off new forms

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code


class CostMethod(models.TextChoices):
    MOVING_AVERAGE = "moving_average", "Moving average"
    FIFO_LOT = "fifo_lot", "FIFO by lot"


class RemovalStrategy(models.TextChoices):
    FIFO = "fifo", "First in, first out"
    FEFO = "fefo", "First expired, first out"


class Item(models.Model):
    """A stock-keeping unit (商品). Quantities in the ledger are always in `base_unit`."""

    sku = models.CharField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    barcodes = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    base_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    lot_tracked = models.BooleanField(default=False)
    shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    cost_method = models.CharField(max_length=20, choices=CostMethod.choices, default=CostMethod.MOVING_AVERAGE)
    removal_strategy = models.CharField(max_length=10, choices=RemovalStrategy.choices, default=RemovalStrategy.FIFO)
    pack_size = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("1"))
    moq = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    abc_class = models.CharField(max_length=1, blank=True)
    xyz_class = models.CharField(max_length=1, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("sku",)
        indexes = [models.Index(fields=("category", "active"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(pack_size__gt=0), name="catalog_item_pack_size_positive"),
            models.CheckConstraint(condition=models.Q(moq__gte=0), name="catalog_item_moq_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name_zh}"

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_zh


class UnitConversion(models.Model):
    """How many base units one `unit` of this item holds (1 box = 24 pcs → factor 24)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="conversions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(max_digits=18, decimal_places=6)
    # The unit it was entered against ("1 case = 2 packs"); null when entered against the base unit.
    # `factor` is always to the base unit; this only lets a later conversion be checked for loops.
    via_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("item", "unit"), name="catalog_unitconversion_unique_item_unit"),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="catalog_unitconversion_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: 1 {self.unit_id} = {self.factor} base"
