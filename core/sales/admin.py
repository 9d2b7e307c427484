"""Admin for sales: read-mostly, since states, reservations and shipments change only through the services."""

from django.contrib import admin

from core.sales.models import Backorder, CustomerReturn, SalesOrder, SalesOrderLine, Shipment


class SalesOrderLineInline(admin.TabularInline):
    model = SalesOrderLine
    extra = 0
    readonly_fields = ("allocated_quantity", "shipped_quantity")


@admin.register(SalesOrder)
class SalesOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "source", "state", "total", "shipping_method", "created_at")
    list_filter = ("state", "shipping_method")
    search_fields = ("number", "customer__name", "customer__code")
    readonly_fields = ("state", "state_changed_at", "total", "created_by")
    inlines = (SalesOrderLineInline,)


@admin.register(Backorder)
class BackorderAdmin(admin.ModelAdmin):
    list_display = ("line", "item", "location", "quantity", "state", "created_at")
    list_filter = ("state",)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("sales_order", "carrier", "tracking_number", "shipped_at")
    readonly_fields = ("posting_key",)


@admin.register(CustomerReturn)
class CustomerReturnAdmin(admin.ModelAdmin):
    list_display = ("reference", "sales_order", "destination", "returned_at", "reason")
    readonly_fields = ("posting_key",)
