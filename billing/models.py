"""Entitlements (which modules a tenant may use) and the Stripe records behind them; public schema."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntitlementStatus(models.TextChoices):
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")  # usable until grace_until, with a banner
    READ_ONLY = "read_only", _("Read only")  # canceled/unpaid: data readable, nothing writable
    DISABLED = "disabled", _("Disabled")  # switched off by the tenant


USABLE_STATUSES = (EntitlementStatus.TRIALING, EntitlementStatus.ACTIVE, EntitlementStatus.PAST_DUE)


class ModuleEntitlement(models.Model):
    """May tenant T use module M? One row per tenant and module code."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="entitlements")
    module_code = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=EntitlementStatus.choices, default=EntitlementStatus.TRIALING)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    grace_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "module_code"], name="one_entitlement_per_module")]
        ordering = ["tenant_id", "module_code"]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.module_code}={self.status}"


class BillingAccount(models.Model):
    """A tenant's Stripe customer and its one subscription (Stripe mode only)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="billing_account")
    currency = models.CharField(max_length=3, default="CNY")
    stripe_customer_id = models.CharField(max_length=64, unique=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    subscription_status = models.CharField(max_length=24, blank=True, default="")
    # When the subscription was first seen past due: the grace period (BILLING_GRACE_DAYS) runs from here.
    past_due_since = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id"]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.stripe_customer_id}/{self.stripe_subscription_id}"


class StripeEvent(models.Model):
    """A received webhook event, stored once per Stripe event id so that a replay is a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)  # null: not yet (or failed) → a retry re-processes
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class EntitlementChange(models.Model):
    """Audit of every entitlement change made from Stripe's state: by a webhook, reconciliation or the page."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="entitlement_changes")
    module_code = models.CharField(max_length=40)
    old_status = models.CharField(max_length=16, blank=True, default="")
    new_status = models.CharField(max_length=16)
    source = models.CharField(max_length=300)  # "webhook:evt_…", "reconcile", "change_modules", "begin_billing"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.module_code} {self.old_status}→{self.new_status} ({self.source})"
