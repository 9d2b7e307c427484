"""The built-in action handlers: set_field, add_tag, block, require_approval and notify, applied to the real subject.

A handler either applies its whole action or raises ActionFailed with the subject as it found it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from core.rules.actions import Action, ActionContext, ActionFailed, register_action_handler
from core.rules.approvals import ApprovalNeed, open_approval_request
from core.rules.catalog import catalog
from core.rules.conditions import MISSING, runtime_value
from core.rules.models import ApprovalRequest, RuleNotification


def _assign(target: Any, attr: str, value: Any) -> None:
    """Set one attribute (or key) and persist it if the target is a saved model; on failure put the old value back."""
    if isinstance(target, dict):
        target[attr] = value
        return
    if isinstance(target, models.Model):
        try:
            model_field = target._meta.get_field(attr)
        except FieldDoesNotExist:
            raise ActionFailed(f"{type(target).__name__} has no field '{attr}'") from None
        try:
            value = model_field.clean(value, target)  # type: ignore[union-attr]
        except ValidationError as error:
            raise ActionFailed(f"{attr}: {' '.join(error.messages)}") from None
    elif not hasattr(target, attr):
        raise ActionFailed(f"{type(target).__name__} has no attribute '{attr}'")
    old = getattr(target, attr)
    try:
        setattr(target, attr, value)
        if isinstance(target, models.Model) and target.pk is not None:
            target.save(update_fields=[attr])
    except Exception as error:
        setattr(target, attr, old)
        raise ActionFailed(f"could not set {attr}: {error}") from error


def set_field(action: Action, ctx: ActionContext) -> str:
    path = action["field"]
    parent, _, attr = catalog.source_path(path).rpartition(".")
    target = ctx.lookup(parent)
    if target is MISSING or target is None:
        raise ActionFailed(f"nothing to set: '{parent}' is not in the context")
    spec = catalog.get(path)
    value = runtime_value(spec, action["value"]) if spec is not None else action["value"]
    _assign(target, attr, value)
    return f"{path} = {action['value']}"


def add_tag(action: Action, ctx: ActionContext) -> str:
    subject, tag = ctx.subject, action["tag"]
    tags = subject.get("tags", MISSING) if isinstance(subject, dict) else getattr(subject, "tags", MISSING)
    if tags is MISSING or not isinstance(tags, list | type(None)):
        raise ActionFailed("the subject has no tag list")
    if tag in (tags or []):
        return f"tag {tag} already present"
    _assign(subject, "tags", [*(tags or []), tag])
    return f"tagged {tag}"


def block(action: Action, ctx: ActionContext) -> str:
    ctx.verdicts.append({"type": "block", "rule": ctx.rule_name, "reason": action.get("reason", "")})
    return f"blocked: {action.get('reason', '')}"


def require_approval(action: Action, ctx: ActionContext) -> str:
    """Open (once) an approval request for the subject; once approved, the rule lets it through.

    Inside a transition the request written here rolls back with the veto; the transition hook reopens it
    after the rollback from this verdict (core/rules/transitions.py), with the vetoed transition recorded.
    """
    approved = ApprovalRequest.objects.filter(
        rule_id=ctx.rule_id, subject_type=ctx.subject_type, subject_id=ctx.subject_id, status=ApprovalRequest.Status.APPROVED
    ).first()
    if approved is not None:
        return f"approved by {approved.decided_by}"
    need = ApprovalNeed(
        rule_id=ctx.rule_id,
        version_id=ctx.version_id,
        subject_type=ctx.subject_type,
        subject_id=ctx.subject_id,
        role=action["role"],
        reason=action["reason"],
        event_id=ctx.event_id,
    )
    request = open_approval_request(need)
    verdict = {"type": "require_approval", "rule": ctx.rule_name, "role": action["role"], "reason": action["reason"]}
    ctx.verdicts.append({**verdict, "request": request.pk, "rule_id": ctx.rule_id, "version_id": ctx.version_id})
    return f"awaiting approval by {action['role']} (request {request.pk})"


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def notify(action: Action, ctx: ActionContext) -> str:
    def fill(match: re.Match[str]) -> str:
        value = ctx.lookup(match.group(1))
        return match.group(0) if value is MISSING else str(value)

    note = RuleNotification.objects.create(
        version_id=ctx.version_id,
        role=action.get("role", ""),
        channel=action.get("channel", ""),
        message=_PLACEHOLDER.sub(fill, action["message"]),
        subject_type=ctx.subject_type,
        subject_id=ctx.subject_id,
        event_id=ctx.event_id,
    )
    return f"notified {note.role or note.channel}"


register_action_handler("set_field", set_field)
register_action_handler("add_tag", add_tag)
register_action_handler("block", block)
register_action_handler("require_approval", require_approval)
register_action_handler("notify", notify)
