"""The order timeline (事件溯源视图): each state with how long it lasted, and why the document is stuck now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.events.documents import StatefulDocument
from core.events.models import DomainEvent

# Labels for the states and reasons the core documents use; a document's own `state` choices win.
STATE_LABELS: dict[str, Promise] = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "awaiting_approval": _("Awaiting approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "sent": _("Sent to supplier"),
    "confirmed": _("Confirmed"),
    "reserved": _("Reserved"),
    "picking": _("Picking"),
    "packed": _("Packed"),
    "shipped": _("Shipped"),
    "in_transit": _("In transit"),
    "delivered": _("Delivered"),
    "partially_received": _("Partially received"),
    "received": _("Received"),
    "counting": _("Counting"),
    "posted": _("Posted"),
    "completed": _("Completed"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
}
REASON_LABELS: dict[str, Promise] = {
    "awaiting_approval": _("Awaiting approval"),
    "awaiting_stock": _("Awaiting stock"),
    "awaiting_supplier": _("Awaiting supplier"),
    "awaiting_carrier": _("Awaiting carrier"),
    "awaiting_payment": _("Awaiting payment"),
    "awaiting_count": _("Awaiting count"),
    "on_hold": _("On hold"),
}


@cache
def document_model(subject_type: str) -> type[models.Model] | None:
    """The installed StatefulDocument model whose SUBJECT_TYPE is `subject_type`, if any."""
    for model in apps.get_models():
        if issubclass(model, StatefulDocument) and subject_type == model.SUBJECT_TYPE:
            return model
    return None


def state_label(subject_type: str, state: str) -> str:
    model = document_model(subject_type)
    if model is not None:
        choices = dict(getattr(model._meta.get_field("state"), "choices", None) or ())
        if state in choices and state not in STATE_LABELS:
            return str(choices[state])
    return str(STATE_LABELS.get(state, state.replace("_", " ")))


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason.replace("_", " "))) if reason else ""


@dataclass
class TimelineStep:
    subject_type: str
    state: str
    entered_at: datetime
    left_at: datetime | None  # None for the current state
    duration: timedelta  # up to `now` for the current state
    actor: str
    event_type: str
    blocking_reason: str = ""

    @property
    def label(self) -> str:
        """In the active language (computed on read, so one timeline serves any request language)."""
        return state_label(self.subject_type, self.state)

    @property
    def blocking_reason_label(self) -> str:
        return reason_label(self.blocking_reason)


@dataclass
class Timeline:
    subject_type: str
    subject_id: int
    now: datetime
    steps: list[TimelineStep] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    blocking_reason: str = ""
    blocked_since: datetime | None = None

    @property
    def current_state(self) -> str:
        return self.steps[-1].state if self.steps else ""

    @property
    def started_at(self) -> datetime | None:
        return self.steps[0].entered_at if self.steps else (self.events[0].occurred_at if self.events else None)

    @property
    def total_elapsed(self) -> timedelta:
        """From the first step to `now`, or to the moment the document reached a final state."""
        if self.started_at is None:
            return timedelta(0)
        last = self.steps[-1] if self.steps else None
        end = self.now if last is None or not self.is_final else last.entered_at
        return end - self.started_at

    @property
    def is_final(self) -> bool:
        model = document_model(self.subject_type)
        if model is None or not self.steps:
            return False
        return not model.TRANSITIONS.get(self.current_state, ())  # type: ignore[attr-defined]

    @property
    def blocking_reason_label(self) -> str:
        return reason_label(self.blocking_reason)

    @property
    def blocked_for(self) -> timedelta | None:
        return self.now - self.blocked_since if self.blocked_since is not None else None


def build_timeline(subject_type: str, subject_id: int, events: list[DomainEvent], now: datetime) -> Timeline:
    """Fold events (oldest first) into steps: a state change opens a step, a block/unblock sets the reason."""
    timeline = Timeline(subject_type=subject_type, subject_id=subject_id, now=now, events=events)
    explicit = False  # a block/unblock event was recorded during the current step
    for event in events:
        if not event.to_state:
            continue  # postings, notes and other facts: listed in events, not steps
        changes_state = not timeline.steps or event.to_state != timeline.steps[-1].state
        if changes_state:
            if timeline.steps:
                timeline.steps[-1].left_at = event.occurred_at
            timeline.steps.append(
                TimelineStep(
                    subject_type=subject_type,
                    state=event.to_state,
                    entered_at=event.occurred_at,
                    left_at=None,
                    duration=timedelta(0),
                    actor=event.actor,
                    event_type=event.event_type,
                    blocking_reason=event.blocking_reason,
                )
            )
            explicit = False
        else:
            explicit = True
        if event.blocking_reason != timeline.blocking_reason:
            # a new reason starts its own clock; the same reason repeated keeps the original age
            timeline.blocking_reason = event.blocking_reason
            timeline.blocked_since = event.occurred_at if event.blocking_reason else None
    model = document_model(subject_type)
    if timeline.steps and not timeline.blocking_reason and not explicit and model is not None:
        # events written before the state declared its reason still show it, from when the step began
        implied = model.BLOCKING_REASONS.get(timeline.current_state, "")  # type: ignore[attr-defined]
        if implied:
            timeline.blocking_reason, timeline.blocked_since = implied, timeline.steps[-1].entered_at
    for step in timeline.steps:
        step.duration = (step.left_at or now) - step.entered_at
    if timeline.is_final:
        timeline.steps[-1].duration = timedelta(0)
        timeline.blocking_reason, timeline.blocked_since = "", None
    return timeline


def order_timeline(subject_type: str, subject_id: int, now: datetime | None = None) -> Timeline:
    """The timeline of one document from its events; `now` fixes the clock for durations and ages."""
    events = list(DomainEvent.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("occurred_at", "pk"))
    return build_timeline(subject_type, subject_id, events, now or timezone.now())
