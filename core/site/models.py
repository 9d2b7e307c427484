"""Login handoffs from the public signup to the new tenant's host (public schema)."""

from __future__ import annotations

from django.db import models


class LoginHandoff(models.Model):
    """A one-time ticket that signs the new owner in on their tenant's host.

    Sessions are per tenant schema and cookies are host-only, so the public host cannot log anyone in
    on `<slug>.<BASE_DOMAIN>`: it hands over a signed, short-lived token instead. Only a SHA-256 of the
    token's nonce is kept; `used_at` makes it single-use (set by one conditional UPDATE, so two
    concurrent redemptions cannot both win).
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="login_handoffs")
    user_email = models.EmailField()
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"handoff for {self.user_email} on {self.tenant_id}"
