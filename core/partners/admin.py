"""Admin for partners."""

from django.contrib import admin

from core.partners.models import Customer, Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "declared_lead_time_days", "learned_lead_time_mean_days", "lead_time_samples")
    search_fields = ("code", "name")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tier", "credit_limit")
    search_fields = ("code", "name")
    list_filter = ("tier",)
