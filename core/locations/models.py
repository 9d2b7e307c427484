"""Where stock can be: warehouses, stores and the locations (bins, transit, virtual) inside them."""

from __future__ import annotations

from django.db import models


class Warehouse(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Store(models.Model):
    """A shop (门店); it may be supplied from a warehouse."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="stores")
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LocationKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    TRANSIT = "transit", "In transit"  # 在途: one per shipment or transfer
    SUPPLIER = "supplier", "Supplier"
    CUSTOMER = "customer", "Customer"
    INVENTORY_LOSS = "inventory_loss", "Inventory loss"
    PRODUCTION = "production", "Production"
    DONATION = "donation", "Donation"


# Kinds whose stock we hold and keep levels (and value) for; the others are virtual counterparties.
STOCK_KINDS = frozenset({LocationKind.INTERNAL, LocationKind.TRANSIT})
VIRTUAL_KINDS = frozenset(set(LocationKind) - STOCK_KINDS)


class Location(models.Model):
    code = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.INTERNAL)
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="locations")
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.PROTECT, related_name="locations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # A transit location knows where its goods are going: inventory position counts them there.
    destination = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_transit_locations"
    )
    reference = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        indexes = [models.Index(fields=("kind", "destination"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=LocationKind.TRANSIT) | models.Q(destination__isnull=False),
                name="locations_location_transit_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def holds_stock(self) -> bool:
        return self.kind in STOCK_KINDS
