"""The document state pipeline: TRANSITIONS declared as data, one `transition()` that checks, hooks, saves and records.

A document is any model with a `state` field and these class attributes (see `StatefulDocument`):

    class PurchaseOrder(StatefulDocument):
        SUBJECT_TYPE = "purchase_order"
        TRANSITIONS = {"draft": ("submitted", "cancelled"), "submitted": ("approved", "rejected"), ...}
        BLOCKING_REASONS = {"submitted": "awaiting_approval", "approved": "awaiting_supplier"}

Transition hooks are the extension point for the rules engine and the vertical modules. A module declares
them in `transition_hooks` (see core.modules); `register_transition_hook` adds one at run time. A hook is
`fn(doc, from_state, to_state, actor)` and is called, declared ones first, in registration order, with the document row locked:
  - return True  → handled: the remaining hooks are skipped and the transition goes ahead;
  - return False (or None) → fall through to the next hook;
  - raise django.core.exceptions.ValidationError → veto: nothing is saved, no event is written, and the
    caller gets `TransitionVetoed` (code TRANSITION_VETOED) carrying the hook's message and codes. Callables
    in the ValidationError's `after_rollback` list run once the veto's transaction has rolled back (here, when
    no outer transaction holds this one; otherwise at the catch site — see DomainError.after_rollback).
Hooks that need to block a document without vetoing (e.g. "awaiting_stock") call `set_blocking_reason`.
Hooks run inside the transaction: they may write rows, but must never call Celery or HTTP directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.errors import run_after_rollback
from core.events.documents import StatefulDocument
from core.events.exceptions import ActionNotAllowed, InvalidTransition, TransitionVetoed
from core.events.models import DomainEvent
from core.events.services import record_event
from core.modules import registry

TransitionHook = Callable[[Any, str, str, str], bool | None]
Doc = TypeVar("Doc", bound=models.Model)

__all__ = [
    "ActionNotAllowed",
    "InvalidTransition",
    "StatefulDocument",
    "TransitionVetoed",
    "current_blocking_reason",
    "declared_states",
    "record_document_created",
    "register_transition_hook",
    "require_state",
    "set_blocking_reason",
    "transition",
    "unregister_transition_hook",
]

BLOCKED_SUFFIX = "blocked"
UNBLOCKED_SUFFIX = "unblocked"
CREATED_SUFFIX = "created"


_hooks: list[tuple[TransitionHook, frozenset[str] | None]] = []


def register_transition_hook(fn: TransitionHook, *, subject_types: tuple[str, ...] | None = None) -> TransitionHook:
    """Add a hook (idempotent: registering the same function twice keeps one). Usable as a decorator.

    `subject_types` limits the hook to some documents ("purchase_order"); None means every document.
    """
    if not any(existing is fn for existing, _ in _hooks):
        _hooks.append((fn, frozenset(subject_types) if subject_types is not None else None))
    return fn


def unregister_transition_hook(fn: TransitionHook) -> None:
    _hooks[:] = [(existing, scope) for existing, scope in _hooks if existing is not fn]


def subject_type_of(doc: models.Model) -> str:
    subject_type = getattr(type(doc), "SUBJECT_TYPE", "")
    if not subject_type:
        raise TypeError(f"{type(doc).__name__} declares no SUBJECT_TYPE")
    return subject_type


def declared_states(model: type[models.Model]) -> frozenset[str]:
    """Every state the model's pipeline names: the TRANSITIONS keys and their targets."""
    transitions: dict[str, tuple[str, ...]] = getattr(model, "TRANSITIONS", {})
    return frozenset(transitions).union(*transitions.values())


def require_state(doc: models.Model, *allowed: str, action: str) -> None:
    """Refuse `action` (ActionNotAllowed, code INVALID_TRANSITION) unless `doc` is in one of the `allowed` states.

    For service steps that are not a plain `transition()` (topping up an allocation, recording a count line,
    taking a return): the check reads `doc.state` as it is, so lock the row first. Naming a state the
    pipeline does not declare is a programming error (ValueError), so the states services check stay the
    states TRANSITIONS declares.
    """
    if not allowed:
        raise ValueError("require_state needs at least one allowed state")
    unknown = sorted(set(allowed) - declared_states(type(doc)))
    if unknown:
        raise ValueError(f"{type(doc).__name__} declares no state {', '.join(unknown)} in TRANSITIONS")
    state: str = doc.state  # type: ignore[attr-defined]
    if state not in allowed:
        raise ActionNotAllowed(subject_type_of(doc), state, action, tuple(allowed))
def active_hooks() -> list[tuple[TransitionHook, frozenset[str] | None]]:
    """The hooks modules declare (`transition_hooks` in the registry), then those registered at run time."""
    declared = [
        (spec.fn, frozenset(spec.subject_types) if spec.subject_types is not None else None)
        for spec in registry.transition_hooks()
    ]
    return declared + [(fn, scope) for fn, scope in _hooks if not any(fn is other for other, _ in declared)]


def _run_hooks(doc: models.Model, subject_type: str, from_state: str, to_state: str, actor: str) -> None:
    for hook, scope in active_hooks():
        if scope is not None and subject_type not in scope:
            continue
        try:
            handled = hook(doc, from_state, to_state, actor)
        except ValidationError as error:
            raise TransitionVetoed(error, from_state, to_state) from error
        if handled is True:
            return


def transition(doc: Doc, to_state: str, *, actor: str, reason: str = "", payload: dict[str, Any] | None = None) -> Doc:
    """Move `doc` to `to_state` along its pipeline, atomically, and record `<subject_type>.<to_state>`.

    The row is re-read under `select_for_update`, so two clerks pressing "approve" at once serialise and the
    second one gets InvalidTransition instead of a duplicate event. The caller's instance is updated in place
    (with any field a hook changed) and returned.
    """
    model = type(doc)
    subject_type = subject_type_of(doc)
    try:
        locked = _transition_locked(doc, model, subject_type, to_state, actor, reason, payload)
    except TransitionVetoed as veto:
        # With no outer transaction, the veto's rollback is final here, so its follow-ups may run now; inside
        # one, the outer block may still roll back what they would write, and the catch site runs them.
        if not transaction.get_connection().in_atomic_block:
            run_after_rollback(veto)
        raise
    for field in model._meta.concrete_fields:
        setattr(doc, field.attname, getattr(locked, field.attname))
    return doc


def _transition_locked(
    doc: models.Model,
    model: type[models.Model],
    subject_type: str,
    to_state: str,
    actor: str,
    reason: str,
    payload: dict[str, Any] | None,
) -> models.Model:
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=doc.pk)
        from_state: str = locked.state  # type: ignore[attr-defined]
        allowed = tuple(getattr(model, "TRANSITIONS", {}).get(from_state, ()))
        if to_state not in allowed:
            raise InvalidTransition(subject_type, from_state, to_state, allowed)
        _run_hooks(locked, subject_type, from_state, to_state, actor)
        now = timezone.now()
        locked.state = to_state  # type: ignore[attr-defined]
        if hasattr(locked, "state_changed_at"):
            locked.state_changed_at = now  # type: ignore[attr-defined]
        locked.save()
        event_payload = dict(payload or {})
        if reason:
            event_payload["reason"] = reason
        record_event(
            f"{subject_type}.{to_state}",
            subject_type,
            locked.pk,
            actor=actor,
            payload=event_payload,
            from_state=from_state,
            to_state=to_state,
            blocking_reason=getattr(model, "BLOCKING_REASONS", {}).get(to_state, ""),
            occurred_at=now,
        )
    return locked


def record_document_created(doc: models.Model, *, actor: str, payload: dict[str, Any] | None = None) -> DomainEvent:
    """Record `<subject_type>.created` so the timeline's first step starts when the document was made."""
    subject_type = subject_type_of(doc)
    state: str = doc.state  # type: ignore[attr-defined]
    return record_event(
        f"{subject_type}.{CREATED_SUFFIX}",
        subject_type,
        doc.pk,
        actor=actor,
        payload=payload,
        to_state=state,
        blocking_reason=getattr(type(doc), "BLOCKING_REASONS", {}).get(state, ""),
        occurred_at=getattr(doc, "state_changed_at", None),
    )


def set_blocking_reason(
    doc: models.Model, reason: str, *, actor: str = "system", payload: dict[str, Any] | None = None
) -> DomainEvent | None:
    """Record that `doc` is now stuck for `reason` (e.g. "awaiting_stock"), or unstuck with reason "".

    No state change. Repeating the current reason records nothing (returns None), so the age of a block
    counts from when it started, however often a retry finds the stock still missing.
    """
    subject_type = subject_type_of(doc)
    model = type(doc)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=doc.pk)
        state: str = locked.state  # type: ignore[attr-defined]
        if current_blocking_reason(subject_type, locked.pk) == reason:
            return None
        return record_event(
            f"{subject_type}.{BLOCKED_SUFFIX if reason else UNBLOCKED_SUFFIX}",
            subject_type,
            locked.pk,
            actor=actor,
            payload=payload,
            from_state=state,
            to_state=state,
            blocking_reason=reason,
        )


def current_blocking_reason(subject_type: str, subject_id: int) -> str:
    """The blocking reason in force: the latest state change's, unless a later block/unblock event overrides it."""
    latest = (
        DomainEvent.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .exclude(to_state="")
        .order_by("-occurred_at", "-pk")
        .only("blocking_reason")
        .first()
    )
    return latest.blocking_reason if latest is not None else ""
