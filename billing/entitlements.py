"""Entitlement checks: the one place that answers "may this tenant use (or write to) module X?"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from billing.models import EntitlementStatus, ModuleEntitlement
from core.modules import modules_enabled, registry

# The statuses in which a module may be used to write (see ModuleAccess.writable, which adds the grace limit).
USABLE_STATUSES = frozenset({EntitlementStatus.TRIALING, EntitlementStatus.ACTIVE, EntitlementStatus.PAST_DUE})


@dataclass(frozen=True)
class ModuleAccess:
    code: str
    status: str
    grace_until: datetime | None = None

    @property
    def readable(self) -> bool:
        return self.status != EntitlementStatus.DISABLED

    @property
    def writable(self) -> bool:
        if self.status in (EntitlementStatus.TRIALING, EntitlementStatus.ACTIVE):
            return True
        if self.status == EntitlementStatus.PAST_DUE:
            return self.grace_until is None or self.grace_until > timezone.now()
        return False

    @property
    def in_grace(self) -> bool:
        return self.status == EntitlementStatus.PAST_DUE and self.writable


def _cache_key(schema_name: str) -> str:
    # The platform cache has no tenant KEY_FUNCTION, so the tenant is named explicitly here and the
    # same entry is found from the public schema (webhooks) and from the tenant's own host.
    return f"entitlements:{schema_name}"


def module_access(tenant: object) -> dict[str, ModuleAccess]:
    """Every module's access for a tenant; the core module is always on."""
    schema_name: str = tenant.schema_name  # type: ignore[attr-defined]
    cache = caches["platform"]
    cached = cache.get(_cache_key(schema_name))
    if cached is not None:
        return cached
    access = {code: ModuleAccess(code, EntitlementStatus.ACTIVE) for code in registry.always_on_codes()}
    for row in ModuleEntitlement.objects.filter(tenant__schema_name=schema_name):
        if row.module_code in access and row.module_code in registry.always_on_codes():
            # core follows the subscription too: canceled → read-only, but never disabled
            if row.status != EntitlementStatus.DISABLED:
                access[row.module_code] = ModuleAccess(row.module_code, row.status, row.grace_until)
            continue
        access[row.module_code] = ModuleAccess(row.module_code, row.status, row.grace_until)
    cache.set(_cache_key(schema_name), access, settings.ENTITLEMENT_CACHE_SECONDS)
    return access


def has_module(tenant: object, code: str) -> bool:
    """May the tenant see module `code` at all (pages, queries)?"""
    access = module_access(tenant).get(code)
    return access is not None and access.readable


def can_write_module(tenant: object, code: str) -> bool:
    """May the tenant change data through module `code` (mutations, forms)?"""
    access = module_access(tenant).get(code)
    return access is not None and access.writable


def enabled_modules(tenant: object) -> list[str]:
    return [code for code, access in module_access(tenant).items() if access.readable]


def invalidate(tenant: object) -> None:
    caches["platform"].delete(_cache_key(tenant.schema_name))  # type: ignore[attr-defined]


def invalidate_after_write(tenant: object) -> None:
    """For a transaction that changed the tenant's entitlement rows: drop the cached access now and again after
    commit, since a request that refilled the cache meanwhile read the old rows."""
    invalidate(tenant)
    transaction.on_commit(lambda: invalidate(tenant))


def announce_enabled(tenant: object, codes: Iterable[str]) -> None:
    """Tell the registry's listeners (core.rules loads rule packs) that modules became usable for a tenant.

    Sent inside the caller's transaction, so what the listeners write commits or rolls back with the entitlement;
    listeners must be idempotent (a module can be enabled again)."""
    module_codes = tuple(sorted(set(codes)))
    if module_codes:
        modules_enabled.send(sender=ModuleEntitlement, tenant=tenant, module_codes=module_codes)
