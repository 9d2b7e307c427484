"""Entitlement changes. Without Stripe keys every module runs as a local trial (the offline default)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import USABLE_STATUSES, announce_enabled, invalidate_after_write
from billing.models import EntitlementStatus, ModuleEntitlement
from core.modules import registry

if TYPE_CHECKING:
    from tenants.models import Tenant


def check_codes(codes: Iterable[str]) -> list[str]:
    codes = sorted(set(codes))
    unknown = [code for code in codes if code not in registry.codes()]
    if unknown:
        message = _("Unknown module codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        raise ValidationError({"modules": ValidationError(message, code="invalid")})
    return codes


@transaction.atomic
def start_local_trial(tenant: Tenant, modules: Iterable[str]) -> None:
    """Give a new tenant the core module and a trial of each chosen module."""
    trial_ends = timezone.now() + timedelta(days=settings.BILLING_TRIAL_DAYS)
    codes = sorted(set(check_codes(modules)) | set(registry.always_on_codes()))
    for code in codes:
        ModuleEntitlement.objects.update_or_create(
            tenant=tenant, module_code=code, defaults={"status": EntitlementStatus.TRIALING, "trial_ends_at": trial_ends}
        )
    invalidate_after_write(tenant)
    announce_enabled(tenant, codes)


@transaction.atomic
def set_module_status(tenant: Tenant, code: str, status: str, grace_until: datetime | None = None) -> ModuleEntitlement:
    check_codes([code])
    if code in registry.always_on_codes() and status == EntitlementStatus.DISABLED:
        message = _("The core module cannot be switched off.")
        raise ValidationError({"modules": ValidationError(message, code="core_required")})
    before = ModuleEntitlement.objects.select_for_update().filter(tenant=tenant, module_code=code).first()
    row, _created = ModuleEntitlement.objects.update_or_create(
        tenant=tenant, module_code=code, defaults={"status": status, "grace_until": grace_until}
    )
    invalidate_after_write(tenant)
    if status in USABLE_STATUSES and (before is None or before.status not in USABLE_STATUSES):
        announce_enabled(tenant, [code])
    return row
