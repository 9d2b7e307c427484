"""StatefulDocument: the abstract model every pipeline document (purchase order, sales order, transfer, count) extends.

Kept apart from pipeline.py so document models import it without pulling in the services; the pipeline
re-exports it.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from django.db import models
from django.utils import timezone

D = TypeVar("D", bound=models.Model)


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
