"""Domain errors of the events app: invalid or vetoed transitions and webhook configuration errors."""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError

from core.errors import DomainError


class EventsErrorCode(StrEnum):
    INVALID_TRANSITION = "INVALID_TRANSITION"
    TRANSITION_VETOED = "TRANSITION_VETOED"
    NOT_FOUND = "NOT_FOUND"
    INVALID_WEBHOOK_URL = "INVALID_WEBHOOK_URL"
    INVALID_EVENT_TYPE = "INVALID_EVENT_TYPE"


class InvalidTransition(DomainError):
    """The document's state pipeline has no edge from its current state to the requested one."""

    code = EventsErrorCode.INVALID_TRANSITION.value
    field = "state"

    def __init__(self, subject_type: str, from_state: str, to_state: str, allowed: tuple[str, ...]) -> None:
        self.subject_type = subject_type
        self.from_state = from_state
        self.to_state = to_state
        self.allowed = allowed
        targets = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"A {subject_type} cannot move from '{from_state}' to '{to_state}'. Allowed from '{from_state}': {targets}."
        )


class ActionNotAllowed(InvalidTransition):
    """A service action (allocate, record a count, take a return) refused in the document's current state.

    Raised by `pipeline.require_state`: same code and field as InvalidTransition, so callers that branch on
    INVALID_TRANSITION keep working; `allowed` here lists the states in which the action is possible.
    """

    def __init__(self, subject_type: str, from_state: str, action: str, allowed_in: tuple[str, ...]) -> None:
        DomainError.__init__(
            self, f"A {subject_type} in state '{from_state}' cannot {action}. Possible in: {', '.join(allowed_in)}."
        )
        self.subject_type = subject_type
        self.from_state = from_state
        self.to_state = ""
        self.action = action
        self.allowed = allowed_in


class TransitionVetoed(DomainError):
    """A transition hook (a rule or a vertical module) refused the transition; nothing was changed.

    `reasons` keeps the hook's ValidationError codes (e.g. "credit_limit_exceeded") for callers that branch
    on them; the message is the hook's own text, meant for the user. A hook that must leave something behind
    despite the rollback sets `after_rollback` (a list of callables) on its ValidationError; they become this
    error's follow-ups (see DomainError.after_rollback).
    """

    code = EventsErrorCode.TRANSITION_VETOED.value
    field = "state"

    def __init__(self, error: ValidationError, from_state: str, to_state: str) -> None:
        self.error = error
        self.from_state = from_state
        self.to_state = to_state
        self.reasons = (
            [item.code or "invalid" for item in error.error_list]
            if not hasattr(error, "error_dict")
            else [item.code or "invalid" for items in error.error_dict.values() for item in items]
        )
        super().__init__(" ".join(error.messages) or f"The move from '{from_state}' to '{to_state}' was refused.")
        self.after_rollback.extend(getattr(error, "after_rollback", ()))


class WebhookConfigurationError(DomainError):
    code = EventsErrorCode.INVALID_WEBHOOK_URL.value
