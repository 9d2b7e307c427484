"""Rule state changes: create, edit (a new immutable version with a readable diff), roll back, switch on and off, approve."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.access import actor_label
from core.rules.actions import normalize_actions
from core.rules.conditions import leaves, normalize_tree
from core.rules.exceptions import RuleError, RuleErrorCode, RuleNotFound, RuleValidationError
from core.rules.grammar import parse_rule, render, render_action, render_condition
from core.rules.grammar.render import render_leaf
from core.rules.models import ApprovalRequest, Rule, RuleVersion
from core.rules.schedules import parse_schedule

_EVENT_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def validate_trigger(trigger: str) -> str:
    """An event type (`sales_order.confirmed`) or `cron:<minute hour day-of-month month day-of-week>`."""
    trigger = (trigger or "").strip()
    if trigger.startswith("cron:"):
        expression = " ".join(trigger[5:].split())
        parse_schedule(expression)
        return "cron:" + expression
    if not _EVENT_RE.match(trigger):
        raise RuleError(
            f"'{trigger}' is neither an event type (subject.event) nor a cron schedule",
            field="trigger",
            code=RuleErrorCode.INVALID_TRIGGER,
        )
    return trigger


def _compile_input(
    text: str | None, language: str, condition: Any, actions: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], str, str]:
    """(condition, actions, source text, language) from either text or a tree; the stored text is canonical."""
    if text:
        parsed = parse_rule(text, language)
        return parsed.condition, parsed.actions, text, parsed.language
    if condition is None or actions is None:
        raise RuleValidationError("give the rule as text, or as a condition and actions", code=RuleErrorCode.INVALID_CONDITION)
    tree, acts = normalize_tree(condition), normalize_actions(actions)
    language = "en" if language.startswith("en") else "zh"
    return tree, acts, render(tree, acts, language), language


def describe_changes(
    before: tuple[dict[str, Any], list[dict[str, Any]]] | None, after: tuple[dict[str, Any], list[dict[str, Any]]], language: str
) -> list[dict[str, str]]:
    """A readable list of what changed between two versions' conditions and actions."""
    if before is None:
        return [{"kind": "created", "detail": render(after[0], after[1], language)}]
    changes: list[dict[str, str]] = []
    old_leaves = [render_leaf(leaf, language) for leaf in leaves(before[0])]
    new_leaves = [render_leaf(leaf, language) for leaf in leaves(after[0])]
    removed = [leaf for leaf in old_leaves if leaf not in new_leaves]
    added = [leaf for leaf in new_leaves if leaf not in old_leaves]
    old_fields = {leaf["field"]: leaf for leaf in leaves(before[0])}
    for new in [leaf for leaf in leaves(after[0]) if render_leaf(leaf, language) in added]:
        old = old_fields.get(new["field"])
        if old is not None and render_leaf(old, language) in removed:
            removed.remove(render_leaf(old, language))
            added.remove(render_leaf(new, language))
            detail = f"{render_leaf(old, language)} → {render_leaf(new, language)}"
            changes.append({"kind": "condition_changed", "detail": detail})
    changes += [{"kind": "condition_removed", "detail": leaf} for leaf in removed]
    changes += [{"kind": "condition_added", "detail": leaf} for leaf in added]
    if not changes and before[0] != after[0]:
        changes.append(
            {
                "kind": "condition_restructured",
                "detail": f"{render_condition(before[0], language)} → {render_condition(after[0], language)}",
            }
        )
    old_actions = [render_action(a, language) for a in before[1]]
    new_actions = [render_action(a, language) for a in after[1]]
    changes += [{"kind": "action_removed", "detail": a} for a in old_actions if a not in new_actions]
    changes += [{"kind": "action_added", "detail": a} for a in new_actions if a not in old_actions]
    if not any(c["kind"].startswith("action") for c in changes) and old_actions != new_actions:
        changes.append({"kind": "actions_reordered", "detail": " / ".join(new_actions)})
    return changes


@transaction.atomic
def create_rule(
    *,
    name: str,
    trigger: str,
    text: str | None = None,
    language: str = "zh",
    condition: Any = None,
    actions: Any = None,
    module: str = "core",
    priority: int = 100,
    active: bool = True,
    active_from: dt.datetime | None = None,
    active_until: dt.datetime | None = None,
    description: str = "",
    actor: Any = None,
    reason: str = "",
) -> Rule:
    if not name.strip():
        raise RuleError("A rule needs a name", field="name", code=RuleErrorCode.INVALID_CONDITION)
    trigger = validate_trigger(trigger)
    tree, acts, source, language = _compile_input(text, language, condition, actions)
    try:
        with transaction.atomic():
            rule = Rule.objects.create(
                name=name.strip(),
                trigger=trigger,
                module=module,
                priority=priority,
                active=active,
                active_from=active_from,
                active_until=active_until,
                description=description,
            )
    except IntegrityError:
        raise RuleError(f"A rule named '{name}' exists", field="name", code=RuleErrorCode.DUPLICATE_NAME) from None
    version = RuleVersion.objects.create(
        rule=rule,
        number=1,
        condition=tree,
        actions=acts,
        source_text=source,
        language=language,
        author=actor_label(actor),
        reason=reason,
        diff=describe_changes(None, (tree, acts), language),
    )
    rule.current_version = version
    rule.save(update_fields=["current_version", "updated_at"])
    return rule


def lock_document(rule: Rule | int) -> Rule:
    pk = rule.pk if isinstance(rule, Rule) else rule
    try:
        return Rule.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=pk)
    except Rule.DoesNotExist:
        raise RuleNotFound(f"Rule {pk} does not exist", field="id", code=RuleErrorCode.RULE_NOT_FOUND) from None


def _append_version(
    rule: Rule,
    tree: dict[str, Any],
    acts: list[dict[str, Any]],
    source: str,
    language: str,
    actor: Any,
    reason: str,
    *,
    rolled_back_from: int | None = None,
    extra_changes: list[dict[str, str]] | None = None,
) -> RuleVersion:
    current = rule.current_version
    before = (current.condition, current.actions) if current else None
    changes = (extra_changes or []) + describe_changes(before, (tree, acts), language)
    version = RuleVersion.objects.create(
        rule=rule,
        number=(current.number if current else 0) + 1,
        condition=tree,
        actions=acts,
        source_text=source,
        language=language,
        author=actor_label(actor),
        reason=reason,
        diff=changes,
        rolled_back_from=rolled_back_from,
    )
    rule.current_version = version
    rule.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def update_rule(
    rule: Rule | int,
    *,
    text: str | None = None,
    language: str = "zh",
    condition: Any = None,
    actions: Any = None,
    trigger: str | None = None,
    priority: int | None = None,
    actor: Any = None,
    reason: str = "",
) -> RuleVersion:
    """Append a new version; old versions are never touched. An edit that changes nothing returns the current one."""
    rule = lock_document(rule)
    tree, acts, source, language = _compile_input(text, language, condition, actions)
    settings_changes: list[dict[str, str]] = []
    if trigger is not None and validate_trigger(trigger) != rule.trigger:
        settings_changes.append({"kind": "trigger_changed", "detail": f"{rule.trigger} → {validate_trigger(trigger)}"})
        rule.trigger = validate_trigger(trigger)
    if priority is not None and priority != rule.priority:
        settings_changes.append({"kind": "priority_changed", "detail": f"{rule.priority} → {priority}"})
        rule.priority = priority
    current = rule.current_version
    if current and not settings_changes and (current.condition, current.actions) == (tree, acts):
        return current
    rule.save(update_fields=["trigger", "priority", "updated_at"])
    return _append_version(rule, tree, acts, source, language, actor, reason, extra_changes=settings_changes)


@transaction.atomic
def rollback_rule(rule: Rule | int, to_version_number: int, actor: Any, reason: str) -> RuleVersion:
    """A new version copying an earlier one: history stays linear and records who rolled back and why."""
    rule = lock_document(rule)
    try:
        target = rule.versions.get(number=to_version_number)
    except RuleVersion.DoesNotExist:
        raise RuleError(
            f"Rule '{rule.name}' has no version {to_version_number}", field="toVersion", code=RuleErrorCode.VERSION_NOT_FOUND
        ) from None
    note = [{"kind": "rolled_back", "detail": f"v{rule.current_version.number} → v{target.number}"}]  # type: ignore[union-attr]
    return _append_version(
        rule,
        target.condition,
        target.actions,
        target.source_text,
        target.language,
        actor,
        reason,
        rolled_back_from=target.number,
        extra_changes=note,
    )


@transaction.atomic
def set_rule_active(rule: Rule | int, active: bool) -> Rule:
    rule = lock_document(rule)
    if rule.active != active:
        rule.active = active
        rule.save(update_fields=["active", "updated_at"])
    return rule


def activate_rule(rule: Rule | int) -> Rule:
    return set_rule_active(rule, True)


def deactivate_rule(rule: Rule | int) -> Rule:
    return set_rule_active(rule, False)


@transaction.atomic
def decide_approval(request_id: int, approve: bool, actor: Any) -> ApprovalRequest:
    """Approve or reject a pending request as trusted server code (no role check, no retry).

    People decide through core.rules.approvals.decide_approval, which checks the role, records the decision on
    the document's timeline and retries the vetoed transition.
    """
    try:
        request = ApprovalRequest.objects.select_for_update().get(pk=request_id, status=ApprovalRequest.Status.PENDING)
    except ApprovalRequest.DoesNotExist:
        raise RuleError(f"No pending approval {request_id}", field="id", code=RuleErrorCode.RULE_NOT_FOUND) from None
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REJECTED
    request.decided_by = actor_label(actor)
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


@transaction.atomic
def grant_approval(rule: Rule | int, subject_type: str, subject_id: str, actor: Any, reason: str = "") -> ApprovalRequest:
    """Approve a document for a rule directly (e.g. after a vetoed transition): its next attempt goes through."""
    rule = lock_document(rule)
    pending = ApprovalRequest.objects.filter(
        rule=rule, subject_type=subject_type, subject_id=str(subject_id), status=ApprovalRequest.Status.PENDING
    ).first()
    if pending is not None:
        return decide_approval(pending.pk, True, actor)
    version = rule.current_version
    assert version is not None  # every saved rule has a version
    role = next((a["role"] for a in version.actions if a["type"] == "require_approval"), "manager")
    return ApprovalRequest.objects.create(
        rule=rule,
        version=version,
        subject_type=subject_type,
        subject_id=str(subject_id),
        role=role,
        reason=reason,
        status=ApprovalRequest.Status.APPROVED,
        decided_by=actor_label(actor),
        decided_at=timezone.now(),
    )
