"""Entitlement changes. Without Stripe keys every module runs as a local trial (the offline default)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.entitlements import invalidate
from billing.models import EntitlementStatus, ModuleEntitlement
from core.modules import registry


def _check_codes(codes: Iterable[str]) -> list[str]:
    codes = sorted(set(codes))
    unknown = [code for code in codes if code not in registry.codes()]
    if unknown:
        raise ValidationError({"modules": f"Unknown module codes: {', '.join(unknown)}."}, code="invalid")
    return codes


@transaction.atomic
def start_local_trial(tenant: object, modules: Iterable[str]) -> None:
    """Give a new tenant the core module and a trial of each chosen module."""
    trial_ends = timezone.now() + timedelta(days=settings.BILLING_TRIAL_DAYS)
    for code in sorted(set(_check_codes(modules)) | set(registry.always_on_codes())):
        ModuleEntitlement.objects.update_or_create(
            tenant=tenant, module_code=code, defaults={"status": EntitlementStatus.TRIALING, "trial_ends_at": trial_ends}
        )
    transaction.on_commit(lambda: invalidate(tenant))


@transaction.atomic
def set_module_status(tenant: object, code: str, status: str, grace_until: object = None) -> ModuleEntitlement:
    _check_codes([code])
    if code in registry.always_on_codes() and status == EntitlementStatus.DISABLED:
        raise ValidationError({"modules": "The core module cannot be switched off."}, code="invalid")
    row, _ = ModuleEntitlement.objects.update_or_create(
        tenant=tenant, module_code=code, defaults={"status": status, "grace_until": grace_until}
    )
    transaction.on_commit(lambda: invalidate(tenant))
    return row
