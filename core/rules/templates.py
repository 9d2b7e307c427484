"""The shared template catalog: publish an anonymised copy of a rule to the public schema; import one as a new rule.

What a template keeps: the trigger, the shape of the condition, field paths, operators, enum values, booleans,
roles and action kinds. What it replaces with placeholders ("{value_1}", ...) that the importer fills: every
free-text literal (names, addresses, messages, reasons, tags, categories, channels, urls, dates) and, unless the
author keeps them, every number. It never stores the rule's name, ids, author, versions or the tenant's schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet

from core.rule_catalog.models import RuleTemplate
from core.rules import services
from core.rules.catalog import FieldType, catalog
from core.rules.exceptions import RuleError, RuleErrorCode
from core.rules.models import Rule

_PLACEHOLDER = re.compile(r"^\{(value_\d+)\}$")
# Action keys whose text may name the tenant's people, places or partners.
_FREE_TEXT_KEYS = {
    "require_approval": ("reason",),
    "add_tag": ("tag",),
    "adjust_safety_stock": ("category",),
    "notify": ("channel", "message"),
    "block": ("reason",),
    "call_webhook": ("url",),
}


@dataclass
class _Anonymiser:
    keep_numbers: bool
    placeholders: dict[str, dict[str, str]] = field(default_factory=dict)

    def hole(self, slot: str, kind: str) -> str:
        name = f"value_{len(self.placeholders) + 1}"
        self.placeholders[name] = {"slot": slot, "type": kind}
        return "{" + name + "}"

    def scalar(self, value: Any, slot: str, field_type: FieldType | None) -> Any:
        if isinstance(value, bool) or field_type is FieldType.ENUM:
            return value  # booleans and enum values are the catalog's words, not the tenant's
        if isinstance(value, int | float) or field_type is FieldType.NUMBER:
            return value if self.keep_numbers else self.hole(slot, "number")
        if isinstance(value, str) and value == "":
            return value
        return self.hole(slot, "date" if field_type is FieldType.DATE else "string")

    def tree(self, node: dict[str, Any]) -> dict[str, Any]:
        for key in ("all", "any"):
            if key in node:
                return {key: [self.tree(child) for child in node[key]]}
        if "not" in node:
            return {"not": self.tree(node["not"])}
        spec = catalog.get(node["field"])
        kind = spec.type if spec is not None else None
        slot = f"condition {node['field']}"
        value = node["value"]
        anonymised = [self.scalar(v, slot, kind) for v in value] if isinstance(value, list) else self.scalar(value, slot, kind)
        return {"field": node["field"], "op": node["op"], "value": anonymised}

    def action(self, action: dict[str, Any], index: int) -> dict[str, Any]:
        kind = action["type"]
        copy = dict(action)
        slot = f"action {index + 1} ({kind})"
        for key in _FREE_TEXT_KEYS.get(kind, ()):
            if copy.get(key):
                copy[key] = self.hole(f"{slot} {key}", "string")
        if kind == "adjust_safety_stock":
            copy["percent"] = self.scalar(action["percent"], f"{slot} percent", FieldType.NUMBER)
        if kind == "set_field":
            spec = catalog.get(action["field"])
            copy["value"] = self.scalar(action["value"], f"{slot} {action['field']}", spec.type if spec else None)
        if kind == "create_document":
            copy["params"] = {
                name: value if isinstance(value, bool | int) else self.hole(f"{slot} {name}", "string")
                for name, value in action["params"].items()
            }
        return copy


@transaction.atomic
def publish_template(rule: Rule, actor: Any, title: str, description: str = "", *, keep_numbers: bool = False) -> RuleTemplate:
    """Store an anonymised copy of the rule's current version; `actor` is checked by the caller and never stored."""
    version = rule.current_version
    if version is None:
        raise RuleError("The rule has no version to publish", field="id", code=RuleErrorCode.VERSION_NOT_FOUND)
    if not title.strip():
        raise RuleError("A template needs a title", field="title", code=RuleErrorCode.INVALID_CONDITION)
    anonymiser = _Anonymiser(keep_numbers)
    condition = anonymiser.tree(version.condition)
    actions = [anonymiser.action(action, i) for i, action in enumerate(version.actions)]
    return RuleTemplate.objects.create(
        title=title.strip(),
        description=description,
        trigger=rule.trigger,
        condition=condition,
        actions=actions,
        placeholders=anonymiser.placeholders,
        language=version.language,
    )


def list_templates(trigger: str | None = None) -> QuerySet[RuleTemplate]:
    templates = RuleTemplate.objects.all()
    return templates.filter(trigger=trigger) if trigger else templates


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if isinstance(node, str) and (match := _PLACEHOLDER.match(node)):
        return values[match.group(1)]
    return node


def _free_name(base: str) -> str:
    name, n = base[:190], 1
    while Rule.objects.filter(name=name).exists():
        n += 1
        name = f"{base[:185]} ({n})"
    return name


@transaction.atomic
def import_template(template_id: int, values: Mapping[str, Any], actor: Any, *, name: str = "", active: bool = False) -> Rule:
    """A new rule in the current tenant, with a fresh version history; the template itself is not changed."""
    try:
        template = RuleTemplate.objects.get(pk=template_id)
    except RuleTemplate.DoesNotExist:
        raise RuleError(f"Template {template_id} does not exist", field="id", code=RuleErrorCode.RULE_NOT_FOUND) from None
    missing = sorted(set(template.placeholders) - set(values))
    if missing:
        raise RuleError(f"Fill in {', '.join(missing)}", field="values", code=RuleErrorCode.INVALID_VALUE)
    rule = services.create_rule(
        name=_free_name(name.strip() or template.title),
        trigger=template.trigger,
        condition=_fill(template.condition, values),
        actions=_fill(template.actions, values),
        language=template.language,
        description=template.description,
        active=active,
        actor=actor,
        reason=f"imported from template {template.pk}",
    )
    RuleTemplate.objects.filter(pk=template.pk).update(import_count=F("import_count") + 1)
    return rule
