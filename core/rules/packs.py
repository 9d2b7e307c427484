"""Module rule packs: the rules a module ships, loaded into a tenant idempotently and never over a tenant's edits.

A pack is a sequence of dicts (a module's `ModuleConfig.rules`; the core's is core/rules/core_pack.py), each:
`{"key", "version", "name", "trigger", "text" | ("condition", "actions"), "active", "priority", "description"}`.
Loading records every rule in RulePackEntry under (pack, key). A reload creates what is missing, upgrades a rule
the tenant has not edited when the pack's version went up, and leaves alone a rule the tenant edited or deleted.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.modules import registry
from core.rules import services
from core.rules.core_pack import CORE_PACK
from core.rules.models import Rule, RulePackEntry

__all__ = ["CORE_PACK", "PackLoadResult", "load_enabled_rule_packs", "load_packs_of_enabled_modules", "load_rule_pack"]

PACK_ACTOR = "system:rule-pack"


@dataclass
class PackLoadResult:
    pack: str
    created: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the tenant edited or deleted it
    unchanged: list[str] = field(default_factory=list)


def pack_rules(module_code: str) -> Sequence[Mapping[str, Any]]:
    """The module's pack as it declares it (`ModuleConfig.rules`); empty for a module without one."""
    return registry.rule_pack(module_code)


def _free_name(base: str) -> str:
    name, n = base, 1
    while Rule.objects.filter(name=name).exists():
        n += 1
        name = f"{base} ({n})"
    return name


def _content(spec: Mapping[str, Any]) -> dict[str, Any]:
    if spec.get("text"):
        return {"text": spec["text"], "language": spec.get("language", "zh")}
    return {"condition": spec["condition"], "actions": spec["actions"], "language": spec.get("language", "zh")}


@transaction.atomic
def load_rule_pack(module_code: str, rules: Sequence[Mapping[str, Any]] | None = None) -> PackLoadResult:
    """Create or upgrade the module's pack rules in the current tenant; safe to call any number of times."""
    specs = pack_rules(module_code) if rules is None else rules
    result = PackLoadResult(module_code)
    with connection.cursor() as cursor:  # two loads of one pack at once serialise instead of racing on the keys
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"rule-pack:{module_code}".encode())])
    entries = {e.key: e for e in RulePackEntry.objects.select_for_update().filter(pack=module_code).order_by("pk")}
    for spec in specs:
        key, version = spec["key"], int(spec.get("version", 1))
        entry = entries.get(key)
        if entry is None:
            rule = services.create_rule(
                name=_free_name(spec["name"]),
                trigger=spec["trigger"],
                module=module_code,
                priority=spec.get("priority", 100),
                active=spec.get("active", True),
                description=spec.get("description", ""),
                actor=PACK_ACTOR,
                reason=f"rule pack {module_code} v{version}",
                **_content(spec),
            )
            RulePackEntry.objects.create(
                pack=module_code, key=key, pack_version=version, rule=rule, loaded_version=rule.current_version
            )
            result.created.append(key)
            continue
        if entry.pack_version >= version:
            result.unchanged.append(key)
            continue
        loaded = entry.rule
        if loaded is None or loaded.current_version_id != entry.loaded_version_id:
            result.kept.append(key)
        else:
            new = services.update_rule(
                loaded, trigger=spec["trigger"], actor=PACK_ACTOR, reason=f"rule pack {module_code} v{version}", **_content(spec)
            )
            entry.loaded_version = new
            result.upgraded.append(key)
        entry.pack_version = version
        entry.save(update_fields=["pack_version", "loaded_version", "loaded_at"])
    return result


def load_enabled_rule_packs(tenant: Any) -> list[PackLoadResult]:
    """Every enabled module's pack, in the current schema (which must be `tenant`'s): `manage.py load_rule_packs`
    (for tenants made before packs loaded at signup); enabling a module loads its pack through `modules_enabled`."""
    from billing.entitlements import has_module

    return [load_rule_pack(cfg.code) for cfg in registry.all() if cfg.always_on or has_module(tenant, cfg.code)]


def load_packs_of_enabled_modules(sender: object, *, tenant: Any, module_codes: Sequence[str], **_: Any) -> None:
    """The `modules_enabled` receiver: load the packs of the modules just enabled into the tenant's schema.

    It runs in the sender's transaction (signup, a trial, a Stripe sync), so the entitlement and its rules
    commit together; loading is idempotent, so a repeated enable changes nothing."""
    with schema_context(tenant.schema_name):
        for code in module_codes:
            load_rule_pack(code)
