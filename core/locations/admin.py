"""Admin for locations."""

from django.contrib import admin

from core.locations.models import Location, Store, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "warehouse", "active")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "warehouse", "store", "destination", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
