"""Rules on events that are not document transitions (a weather update, a lot nearing expiry, a market price).

The outbox drain hands every committed DomainEvent to `evaluate_domain_event`. An event type the rules engine
knows how to read has a subject expander: it turns the event into the subjects to evaluate, each with its
context (one weather update covers many location-days, and each is judged on its own day). Transition events are
not expanded: the transition hook already evaluated them inside the transition.

The event id the actions see is `evt_<DomainEvent pk>`, so a redelivered event (the outbox retries until every
consumer succeeds) runs each action once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.events.models import DomainEvent
from core.rules.evaluator import EvaluationResult, evaluate, load_rules


@dataclass(frozen=True)
class EventSubject:
    subject_type: str
    subject_id: str
    subject: Any
    context: dict[str, Any]
    label: str = ""  # how a dry run names it, e.g. "门店A 2026-11-28"


SubjectExpander = Callable[[DomainEvent], Iterable[EventSubject]]
# Many events at once (a dry run replays a month): event pk → its subjects, in a fixed number of queries.
BatchExpander = Callable[[Sequence[DomainEvent]], dict[int, list[EventSubject]]]

_expanders: dict[str, SubjectExpander] = {}
_batch_expanders: dict[str, BatchExpander] = {}


def register_event_subjects(event_type: str, expander: SubjectExpander | BatchExpander, *, batch: bool = False) -> None:
    """Register how to read an event type. A batch expander serves single events too (a batch of one)."""
    if batch:
        many: BatchExpander = expander  # type: ignore[assignment]
        _batch_expanders[event_type] = many
        _expanders[event_type] = lambda event: many([event]).get(event.pk, [])
    else:
        _batch_expanders.pop(event_type, None)
        _expanders[event_type] = expander  # type: ignore[assignment]


def expander_for(event_type: str) -> SubjectExpander | None:
    return _expanders.get(event_type)


def expand_events(event_type: str, events: Sequence[DomainEvent]) -> dict[int, list[EventSubject]]:
    """The subjects of many events of one type: one batch call when the type has a batch expander."""
    batch = _batch_expanders.get(event_type)
    if batch is not None:
        return batch(events)
    expander = _expanders[event_type]
    return {event.pk: list(expander(event)) for event in events}


def event_id_of(event: DomainEvent) -> str:
    return f"evt_{event.pk}"


def evaluate_domain_event(event: DomainEvent) -> list[EvaluationResult]:
    """The outbox consumer: evaluate the active rules on this event's type for each of its subjects."""
    expander = _expanders.get(event.event_type)
    if expander is None:
        return []
    rules = load_rules(event.event_type)
    if not rules:  # the common case costs one indexed query and no expansion
        return []
    return [
        evaluate(
            event.event_type,
            found.context,
            found.subject,
            event_id_of(event),
            subject_type=found.subject_type,
            subject_id=found.subject_id,
            rules=rules,
        )
        for found in expander(event)
    ]
