"""The company's own display settings (one row per tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CompanySettings(models.Model):
    """Chosen at signup: the currency every amount of this company is shown and ordered in."""

    currency = models.CharField(max_length=3, default="CNY")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "company settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="web_company_settings_singleton")]

    def __str__(self) -> str:
        return f"company settings ({self.currency})"


class PasswordChangeRequired(models.Model):
    """A user who signs in with a password someone else chose (a temporary one from an administrator) and
    must choose their own before using the app; removed when they do."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"password change required for {self.user_id}"
