"""Admin for the ledger: read-only, since stock only changes through postings."""

from typing import Any

from django.contrib import admin

from core.inventory.models import ItemValuation, Lot, Posting, Reservation, StockLevel, StockMove, ValuationAdjustment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "document_type", "document_id", "actor", "occurred_at", "posted_at")
    search_fields = ("idempotency_key",)


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ("posting", "item", "lot", "from_location", "to_location", "quantity", "unit_cost", "value", "occurred_at")
    list_filter = ("document_type",)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("item", "location", "lot", "on_hand", "reserved")


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("item", "code", "expiry_date", "received_at", "unit_cost")
    search_fields = ("code",)


@admin.register(ItemValuation)
class ItemValuationAdmin(ReadOnlyAdmin):
    list_display = ("item", "on_hand", "average_cost", "inventory_value", "last_occurred_at")


@admin.register(ValuationAdjustment)
class ValuationAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("item", "posting", "quantity", "posted_unit_cost", "historical_unit_cost", "amount")


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "item", "location", "lot", "quantity", "state")
    list_filter = ("state",)
