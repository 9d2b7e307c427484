"""Admin for retail."""

from django.contrib import admin

from verticals.retail.models import RetailStore


@admin.register(RetailStore)
class RetailStoreAdmin(admin.ModelAdmin):
    list_display = ("store", "stock_location", "opening_hours", "updated_at")
    search_fields = ("store__code", "store__name")
