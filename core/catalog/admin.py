"""Admin for the catalog."""

from django.contrib import admin

from core.catalog.models import Category, Item, Unit, UnitConversion


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class UnitConversionInline(admin.TabularInline):
    model = UnitConversion
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("sku", "name_zh", "category", "base_unit", "lot_tracked", "cost_method", "active")
    list_filter = ("active", "lot_tracked", "cost_method")
    search_fields = ("sku", "name_zh", "name_en")
    inlines = (UnitConversionInline,)
