"""Entitlements (which modules a tenant may use) and the Stripe records behind them; public schema."""

from __future__ import annotations

from django.db import models


class EntitlementStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"  # usable until grace_until, with a banner
    READ_ONLY = "read_only", "Read only"  # canceled/unpaid: data readable, nothing writable
    DISABLED = "disabled", "Disabled"  # switched off by the tenant


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
