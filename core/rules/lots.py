"""`lot.near_expiry`: the daily event that lets rules act on lots close to their expiry (临期), and its context.

A daily dispatcher job records one `lot.near_expiry` event per lot that still has free stock in an internal
location and expires within the horizon: the largest `lot.days_to_expiry` an active rule on the trigger asks
about, at least DEFAULT_HORIZON_DAYS. A lot gets at most one event a day, so a rerun of the job adds nothing.
The outbox drain then hands each event to the rules engine (core/rules/events.py), which judges the lot on the
event's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.events.models import DomainEvent
from core.events.services import record_events
from core.inventory.models import Lot, StockLevel
from core.locations.models import LocationKind
from core.rules.conditions import leaves
from core.rules.events import EventSubject, register_event_subjects
from core.rules.models import Rule
from core.rules.transitions import calendar_context

TRIGGER = "lot.near_expiry"
DEFAULT_HORIZON_DAYS = 7


def horizon_days() -> int:
    """How far ahead to look: far enough for every active rule's `lot.days_to_expiry` test."""
    numbers = [DEFAULT_HORIZON_DAYS]
    for rule in Rule.objects.filter(trigger=TRIGGER, active=True, current_version__isnull=False).select_related(
        "current_version"
    ):
        for leaf in leaves(rule.current_version.condition):  # type: ignore[union-attr]
            if leaf.get("field") == "lot.days_to_expiry":
                values = leaf["value"] if isinstance(leaf["value"], list) else [leaf["value"]]
                numbers += [int(Decimal(str(v))) for v in values]
    return max(numbers)


@transaction.atomic
def record_near_expiry_lots(today: dt.date | None = None) -> int:
    """Record today's `lot.near_expiry` events; returns how many were new."""
    today = today or timezone.localdate()
    horizon = horizon_days()
    lot_ids = set(
        StockLevel.objects.filter(
            location__kind=LocationKind.INTERNAL,
            on_hand__gt=F("reserved"),
            lot__expiry_date__isnull=False,
            lot__expiry_date__lte=today + dt.timedelta(days=horizon),
        ).values_list("lot_id", flat=True)
    )
    seen = set(
        DomainEvent.objects.filter(event_type=TRIGGER, subject_id__in=lot_ids, payload__on=today.isoformat()).values_list(
            "subject_id", flat=True
        )
    )
    lots = list(Lot.objects.filter(pk__in=lot_ids - seen).order_by("pk"))
    record_events(
        TRIGGER,
        "lot",
        [
            (lot.pk, {"on": today.isoformat(), "code": lot.code, "days_to_expiry": (lot.expiry_date - today).days})
            for lot in lots
            if lot.expiry_date is not None  # always: filtered above
        ],
    )
    return len(lots)


def lot_subjects(events: Sequence[DomainEvent]) -> dict[int, list[EventSubject]]:
    """Batch expander: each event's lot judged on the event's day (a replay sees the days it had then).

    The lots of every event come in one query."""
    lots = Lot.objects.select_related("item__category").in_bulk({event.subject_id for event in events})
    found: dict[int, list[EventSubject]] = {}
    for event in events:
        lot = lots.get(event.subject_id)
        if lot is None:
            found[event.pk] = []
            continue
        on = dt.date.fromisoformat(str((event.payload or {}).get("on") or timezone.localdate(event.occurred_at)))
        item = lot.item
        context: dict[str, Any] = {
            "lot": {
                "id": lot.pk,
                "code": lot.code,
                "expiry_date": lot.expiry_date,
                "days_to_expiry": (lot.expiry_date - on).days if lot.expiry_date else None,
            },
            "item": {
                "sku": item.sku,
                "category": item.category.name if item.category else None,
                "shelf_life_days": item.shelf_life_days,
            },
            "calendar": calendar_context(on),
        }
        found[event.pk] = [EventSubject("lot", str(lot.pk), lot, context, label=f"{lot.code} ({item.sku})")]
    return found


def register_lot_events() -> None:
    register_event_subjects(TRIGGER, lot_subjects, batch=True)
