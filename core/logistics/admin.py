"""Admin for logistics: read-mostly, since transfers move stock only through the services."""

from django.contrib import admin

from core.logistics.models import InboundShipment, TransferDiscrepancy, TransferLine, TransferOrder


class TransferLineInline(admin.TabularInline):
    model = TransferLine
    extra = 0
    readonly_fields = ("shipped_quantity", "received_quantity")


@admin.register(TransferOrder)
class TransferOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "from_location", "to_location", "state", "carrier", "eta", "created_at")
    list_filter = ("state",)
    search_fields = ("number", "tracking_number")
    readonly_fields = ("state", "state_changed_at", "transit_location", "shipped_at", "received_at", "created_by")
    inlines = (TransferLineInline,)


@admin.register(TransferDiscrepancy)
class TransferDiscrepancyAdmin(admin.ModelAdmin):
    list_display = ("line", "shipped_quantity", "received_quantity", "difference", "reason", "recorded_at")
    list_filter = ("reason",)


@admin.register(InboundShipment)
class InboundShipmentAdmin(admin.ModelAdmin):
    list_display = ("purchase_order", "carrier", "tracking_number", "eta", "state")
    list_filter = ("state",)
