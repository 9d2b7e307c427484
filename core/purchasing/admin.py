"""Admin for purchasing: read-mostly, since states and receipts change only through the services."""

from django.contrib import admin

from core.purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasingSettings,
    SupplierReturn,
)


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    readonly_fields = ("received_quantity",)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "supplier", "destination", "state", "total", "currency", "urgent", "created_at")
    list_filter = ("state", "urgent")
    search_fields = ("number", "supplier__name", "supplier__code")
    readonly_fields = ("state", "state_changed_at", "total", "sent_at", "created_by")
    inlines = (PurchaseOrderLineInline,)


class GoodsReceiptLineInline(admin.TabularInline):
    model = GoodsReceiptLine
    extra = 0
    can_delete = False


@admin.register(GoodsReceipt)
class GoodsReceiptAdmin(admin.ModelAdmin):
    list_display = ("reference", "purchase_order", "received_at", "received_by", "lead_time_days")
    search_fields = ("reference", "purchase_order__number")
    readonly_fields = ("purchase_order", "reference", "received_at", "received_by", "posting_key", "lead_time_days")
    inlines = (GoodsReceiptLineInline,)


@admin.register(SupplierReturn)
class SupplierReturnAdmin(admin.ModelAdmin):
    list_display = ("reference", "supplier", "source", "returned_at", "reason")
    readonly_fields = ("posting_key",)


@admin.register(PurchasingSettings)
class PurchasingSettingsAdmin(admin.ModelAdmin):
    list_display = ("approval_threshold", "over_receipt_tolerance_percent", "updated_at")
