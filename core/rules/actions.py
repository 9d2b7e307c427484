"""Rule actions as data: their shapes, save-time validation, and the handler registry that runs them.

Handlers live beside what they touch (handlers.py, document_actions.py, planning_actions.py, webhook_actions.py)
and register with `register_action_handler`; an action with no handler is logged as failed, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from core.rules.catalog import ROLE_CHOICES, FieldCatalog, catalog
from core.rules.conditions import canonical_number, normalize_value
from core.rules.exceptions import RuleErrorCode, RuleValidationError

logger = logging.getLogger(__name__)

ACTION_TYPES = (
    "require_approval",
    "set_field",
    "add_tag",
    "adjust_safety_stock",
    "create_document",
    "notify",
    "block",
    "call_webhook",
)
# Only these stop a document transition; every other action is a side effect.
VERDICT_ACTIONS = frozenset({"block", "require_approval"})
ROLES = tuple(choice.value for choice in ROLE_CHOICES)

Action = dict[str, Any]


def _fail(message: str, index: int, code: RuleErrorCode = RuleErrorCode.INVALID_ACTION, path: str = "") -> RuleValidationError:
    return RuleValidationError(f"actions[{index}]: {message}", code=code, path=path, field="actions")


def _text(action: Action, key: str, index: int, *, required: bool = True) -> str:
    value = action.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(f"'{key}' must be {'non-empty ' if required else ''}text", index)
    return value


def normalize_action(action: Any, index: int = 0, fields: FieldCatalog = catalog) -> Action:
    """Validate one action and return its canonical form."""
    if not isinstance(action, dict) or action.get("type") not in ACTION_TYPES:
        kind = action.get("type") if isinstance(action, dict) else action
        raise _fail(f"unknown action '{kind}'", index, RuleErrorCode.UNKNOWN_ACTION)
    kind = action["type"]
    allowed = _ALLOWED_KEYS[kind]
    extra = set(action) - allowed - {"type"}
    if extra:
        raise _fail(f"{kind} does not take {', '.join(sorted(extra))}", index)
    if kind == "require_approval":
        role = action.get("role")
        if role not in ROLES:
            raise _fail(f"role must be one of {', '.join(ROLES)}", index)
        return {"type": kind, "role": role, "reason": _text(action, "reason", index, required=False)}
    if kind == "set_field":
        path = action.get("field")
        spec = fields.get(path) if isinstance(path, str) else None
        if spec is None:
            raise _fail(f"unknown field '{path}'", index, RuleErrorCode.UNKNOWN_FIELD, str(path))
        path = spec.path
        if not spec.settable:
            raise _fail(f"field '{path}' cannot be set by a rule", index, path=path)
        try:
            value = normalize_value(spec, "eq", action.get("value"))
        except ValueError as error:
            raise _fail(f"field '{path}': {error}", index, RuleErrorCode.INVALID_VALUE, path) from None
        return {"type": kind, "field": path, "value": value}
    if kind == "add_tag":
        return {"type": kind, "tag": _text(action, "tag", index)}
    if kind == "adjust_safety_stock":
        try:
            percent = canonical_number(action.get("percent"))
            days = action.get("days")
            if not isinstance(days, int) or isinstance(days, bool) or days <= 0 or Decimal(str(percent)) <= -100:
                raise ValueError
        except (ValueError, TypeError, ArithmeticError):
            message = "adjust_safety_stock needs a percent (a number above -100) and days (positive whole number)"
            raise _fail(message, index) from None
        return {"type": kind, "category": _text(action, "category", index), "percent": percent, "days": days}
    if kind == "create_document":
        params = action.get("params", {})
        if not isinstance(params, dict) or not all(
            isinstance(k, str) and k.isidentifier() and isinstance(v, str | int | bool) for k, v in params.items()
        ):
            raise _fail("params must map names to text, whole numbers or booleans", index)
        return {"type": kind, "kind": _text(action, "kind", index), "params": dict(params)}
    if kind == "notify":
        role, channel = action.get("role"), action.get("channel")
        if (role is None) == (channel is None):
            raise _fail("notify takes exactly one of role or channel", index)
        if role is not None and role not in ROLES:
            raise _fail(f"role must be one of {', '.join(ROLES)}", index)
        target = {"role": role} if role is not None else {"channel": _text(action, "channel", index)}
        return {"type": kind, **target, "message": _text(action, "message", index)}
    if kind == "block":
        return {"type": kind, "reason": _text(action, "reason", index, required=False)}
    url = _text(action, "url", index)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _fail("url must be an http(s) address", index)
    return {"type": kind, "url": url}


_ALLOWED_KEYS = {
    "require_approval": {"role", "reason"},
    "set_field": {"field", "value"},
    "add_tag": {"tag"},
    "adjust_safety_stock": {"category", "percent", "days"},
    "create_document": {"kind", "params"},
    "notify": {"role", "channel", "message"},
    "block": {"reason"},
    "call_webhook": {"url"},
}


def normalize_actions(actions: Any, fields: FieldCatalog = catalog) -> list[Action]:
    if not isinstance(actions, list) or not actions:
        raise RuleValidationError("a rule needs at least one action", code=RuleErrorCode.INVALID_ACTION, field="actions")
    return [normalize_action(action, i, fields) for i, action in enumerate(actions)]


# --- execution ---------------------------------------------------------------------------------------------


@dataclass
class ActionContext:
    """What a handler may touch: the subject, the context lookup, and where the event came from."""

    subject: Any
    lookup: Callable[[str], Any]
    rule_id: int
    rule_name: str
    version_id: int
    event_type: str
    event_id: str
    subject_type: str
    subject_id: str
    verdicts: list[dict[str, Any]] = field(default_factory=list)


ActionHandler = Callable[[Action, ActionContext], str]  # returns a one-line summary of what it did

_handlers: dict[str, ActionHandler] = {}


class ActionFailed(Exception):
    """A handler could not apply its action; the message is logged on the RuleActionLog row."""


def register_action_handler(action_type: str, handler: ActionHandler) -> None:
    if action_type not in ACTION_TYPES:
        raise ValueError(f"unknown action type {action_type!r}")
    _handlers[action_type] = handler


def handler_for(action_type: str) -> ActionHandler | None:
    return _handlers.get(action_type)
