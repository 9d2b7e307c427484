"""Module rule packs: the rules a module ships, loaded into a tenant idempotently and never over a tenant's edits.

A pack is a sequence of dicts (a module's `ModuleConfig.rules`, or the built-in packs below), each:
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

from core.modules import registry
from core.rules import services
from core.rules.models import Rule, RulePackEntry

PACK_ACTOR = "system:rule-pack"

# The core pack. The board-approval pair ships on: it sits above purchasing's own manager threshold and lets an
# urgent purchase through while the material's price swings. The planning/logistics rules ship switched off: a
# tenant should choose to let rules move stock or change safety stock.
CORE_PACK: tuple[dict[str, Any], ...] = (
    {
        "key": "large_purchase_approval",
        "version": 1,
        "name": "大额采购审批（价格波动例外）",
        "trigger": "purchase_order.submitted",
        "text": '当采购金额>=50000且非(加急采购且价格日涨跌幅>3)时，需要所有者审批："大额采购需董事会审批"',
        "active": True,
        "priority": 50,
        "description": "Purchases of 50,000 or more need the board (owner), unless urgent while prices move over 3% a day.",
    },
    {
        "key": "urgent_volatile_purchase_notice",
        "version": 1,
        "name": "加急采购价格波动通知",
        "trigger": "purchase_order.submitted",
        "text": '当采购金额>=50000且加急采购且价格日涨跌幅>3时，通知所有者："加急大额采购在价格波动中免审批，请关注"',
        "active": True,
        "priority": 51,
        "description": "The exception above tells the owner instead of waiting for approval.",
    },
    {
        "key": "vip_airport_air_freight",
        "version": 1,
        "name": "VIP 机场订单空运优先",
        "trigger": "sales_order.confirmed",
        "text": '当客户等级为VIP且订单金额>20000且收货地址包含"机场"时，设置配送方式为空运优先',
        "active": True,
        "priority": 60,
        "description": "Large VIP orders delivered to an airport ship by air priority.",
    },
    {
        "key": "near_expiry_donation",
        "version": 1,
        "name": "临期批次转捐赠",
        "trigger": "lot.near_expiry",
        "text": '当批次剩余天数<=3时，创建单据"transfer"(destination="donation")',
        "active": False,
        "priority": 70,
        "description": "A lot three days or less from expiry is moved to the donation location.",
    },
    {
        "key": "rainy_weekend_leafy_greens",
        "version": 1,
        "name": "雨天周末叶菜安全库存上调",
        "trigger": "signal.weather_updated",
        "text": '当降水概率>=60且周末时，调整类别"叶菜"的安全库存15%持续2天',
        "active": False,
        "priority": 80,
        "description": "Rain on a weekend raises the leafy greens' safety stock by 15% for two days.",
    },
)

BUILTIN_PACKS: dict[str, Sequence[Mapping[str, Any]]] = {"core": CORE_PACK}


@dataclass
class PackLoadResult:
    pack: str
    created: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the tenant edited or deleted it
    unchanged: list[str] = field(default_factory=list)


def pack_rules(module_code: str) -> Sequence[Mapping[str, Any]]:
    try:
        declared = registry.get(module_code).rules
    except KeyError:
        declared = ()
    return declared or BUILTIN_PACKS.get(module_code, ())


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
    """Every enabled module's pack, in the current schema (which must be `tenant`'s); billing calls this on enable."""
    from billing.entitlements import has_module

    return [load_rule_pack(cfg.code) for cfg in registry.all() if cfg.always_on or has_module(tenant, cfg.code)]
