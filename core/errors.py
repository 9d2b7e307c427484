"""Domain errors: what a service raises when it refuses, and the follow-ups a refusal leaves behind.

Graphene-free on purpose: every domain app raises these, and the edges (GraphQL in `core/graphql/errors.py`,
the web views in `core/web/views/common.py`) turn them into typed errors for the reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum

from django.db import connection, transaction

logger = logging.getLogger(__name__)

# Work a refusal leaves for after its transaction rolled back (see DomainError.after_rollback).
FollowUp = Callable[[], None]


class CommonErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNIQUE = "UNIQUE"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    MODULE_NOT_ENABLED = "MODULE_NOT_ENABLED"
    MODULE_READ_ONLY = "MODULE_READ_ONLY"


class DomainError(Exception):
    """Base for domain exceptions that reach the client as typed errors (code from a domain enum)."""

    code: str = CommonErrorCode.INVALID.value
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None, code: str | Enum | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code.value if isinstance(code, Enum) else code

    @property
    def after_rollback(self) -> list[FollowUp]:
        """Follow-ups to run once the refused call's transaction has rolled back.

        A refusal rolls back everything the call wrote, yet some of what it decided must outlive it: a
        transition vetoed for want of an approval must still leave the approval request for the approver.
        The code that refuses attaches a follow-up; whoever catches the error outside the rolled-back
        transaction (the GraphQL and web edges, or `running_follow_ups` in a service caller) runs it.
        """
        if "_after_rollback" not in self.__dict__:
            self._after_rollback: list[FollowUp] = []
        return self._after_rollback


def _errors_in_chain(error: BaseException) -> Iterator[DomainError]:
    """The error and the ones it was raised from: a service may wrap a veto in its own domain error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DomainError):
            yield current
        current = current.__cause__ or current.__context__


def run_after_rollback(error: BaseException) -> None:
    """Run (once) the follow-ups the error and its causes carry; call it outside the rolled-back transaction.

    While the connection still sits inside a transaction marked for rollback nothing runs and the follow-ups
    stay on the error, so an outer catch site runs them after the real rollback. A failing follow-up is
    logged, never raised: the caller is already reporting the refusal, which matters more.
    """
    if connection.needs_rollback:
        return
    for domain_error in _errors_in_chain(error):
        follow_ups, domain_error.after_rollback[:] = list(domain_error.after_rollback), []
        for follow_up in follow_ups:
            try:
                with transaction.atomic():
                    follow_up()
            except Exception:  # the refusal is the answer; a lost follow-up is logged, not raised
                logger.exception("follow-up of %s failed after rollback", type(domain_error).__name__)


@contextmanager
def running_follow_ups() -> Iterator[None]:
    """For service callers outside the GraphQL and web edges: `with running_follow_ups(): submit(...)`.

    Use it outside the transaction the refused call rolls back; the error is re-raised after its follow-ups ran.
    """
    try:
        yield
    except DomainError as error:
        run_after_rollback(error)
        raise
