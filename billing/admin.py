"""Platform admin (public host): entitlements, Stripe accounts and received events, read-mostly.

Entitlements are changed through billing.subscriptions (or repaired by reconcile_billing), never edited
here: Stripe is the source of truth in Stripe mode.
"""

from __future__ import annotations

from django.contrib import admin

from billing.models import BillingAccount, EntitlementChange, ModuleEntitlement, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ModuleEntitlement)
class ModuleEntitlementAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "module_code", "status", "trial_ends_at", "grace_until", "updated_at")
    list_filter = ("status", "module_code")
    search_fields = ("tenant__slug",)


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "currency", "stripe_customer_id", "stripe_subscription_id", "subscription_status", "synced_at")
    list_filter = ("subscription_status", "currency")
    search_fields = ("tenant__slug", "stripe_customer_id", "stripe_subscription_id")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "object_id", "received_at", "processed_at", "attempts")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")


@admin.register(EntitlementChange)
class EntitlementChangeAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "module_code", "old_status", "new_status", "source", "created_at")
    list_filter = ("new_status", "module_code")
    search_fields = ("tenant__slug", "source")
