"""Restaurant domain events for the rules engine: a waste record and a count's usage variance each append a
DomainEvent (through the outbox, in the caller's transaction); the expanders hand the rules their context."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from core.events.models import DomainEvent
from core.events.services import record_event, record_events
from core.rules.events import EventSubject
from verticals.restaurant.models import WasteRecord
from verticals.restaurant.selectors import usage_variance

WASTE_RECORDED = "restaurant.waste_recorded"
VARIANCE_COMPUTED = "restaurant.variance_computed"


def waste_recorded(record: WasteRecord, *, daily_rate_pct: Decimal | None = None) -> None:
    payload = {
        "waste": {
            "quantity": str(record.quantity),
            "value": str(record.value),
            "reason": record.reason,
            **({"daily_rate_pct": str(daily_rate_pct)} if daily_rate_pct is not None else {}),
        },
        "outlet": {"code": record.outlet.code},
    }
    record_event(WASTE_RECORDED, "waste_record", record.pk, actor=record.recorded_by, payload=payload)


@transaction.atomic
def report_count_variance(outlet_id: int, count_id: int, *, actor: str = "system") -> int:
    """One `restaurant.variance_computed` event per counted ingredient; the rule pack decides what follows
    (a notice above 5 %, a new count, an approval above a value). Returns the events written."""
    rows = usage_variance(outlet_id, count_id)
    subjects = [
        (row.item_id, {"variance": {"pct": str(row.variance_pct), "value": str(abs(row.variance))}, "count_id": count_id})
        for row in rows
        if row.variance_pct is not None
    ]
    if subjects:
        record_events(VARIANCE_COMPUTED, "item", subjects, actor=actor)
    return len(subjects)


def payload_subject(event: DomainEvent) -> Iterable[EventSubject]:
    """The event's payload is the rule context; the subject is the event's own subject."""
    yield EventSubject(
        event.subject_type, str(event.subject_id), {"type": event.subject_type, "id": event.subject_id}, event.payload
    )
