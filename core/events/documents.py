"""StatefulDocument: the abstract model every pipeline document (purchase order, sales order, transfer, count) extends.

Kept apart from pipeline.py so document models import it without pulling in the services; the pipeline
re-exports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

D = TypeVar("D", bound=models.Model)
M = TypeVar("M", bound=models.Model)

DEFAULT_ORDERING = "-created"


class StatefulDocument(models.Model):
    """Abstract base for documents with a state pipeline (purchase order, sales order, transfer, count)."""

    SUBJECT_TYPE: ClassVar[str] = ""
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {}
    BLOCKING_REASONS: ClassVar[dict[str, str]] = {}

    state = models.CharField(max_length=40, default="draft", db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def allowed_transitions(self) -> tuple[str, ...]:
        return tuple(type(self).TRANSITIONS.get(self.state, ()))

    def can_transition_to(self, to_state: str) -> bool:
        return to_state in self.allowed_transitions()

    def state_blocking_reason(self) -> str:
        """The reason the current state itself implies (a recorded `set_blocking_reason` is in the timeline)."""
        return type(self).BLOCKING_REASONS.get(self.state, "")


def lock_document(doc: D) -> D:
    """Lock the document's row (select_for_update) and refresh the caller's instance in place, so the
    caller sees the state the service then acts on. Call inside a transaction."""
    locked = type(doc)._default_manager.select_for_update().get(pk=doc.pk)
    for field in type(doc)._meta.concrete_fields:
        setattr(doc, field.attname, getattr(locked, field.attname))
    return doc


def document_list(
    queryset: QuerySet[M],
    orderings: Mapping[str, tuple[str, ...]],
    *,
    states: Iterable[str] | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    ordering: str = DEFAULT_ORDERING,
    **equal_to: Any,
) -> QuerySet[M]:
    """The list filter every document list shares: states, a created-at window [from, to), equality filters
    (`supplier_id=3`; None means "any") and an ordering key from `orderings` (unknown keys fall back to
    newest first). A selector passes only what differs: its queryset, its orderings and its own columns."""
    if states:
        queryset = queryset.filter(state__in=list(states))
    if created_from is not None:
        queryset = queryset.filter(created_at__gte=created_from)
    if created_to is not None:
        queryset = queryset.filter(created_at__lt=created_to)
    wanted = {field: value for field, value in equal_to.items() if value is not None}
    if wanted:
        queryset = queryset.filter(**wanted)
    return queryset.order_by(*orderings.get(ordering, orderings[DEFAULT_ORDERING]))
