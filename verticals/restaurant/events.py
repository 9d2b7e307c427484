"""Restaurant domain events for the rules engine: a waste record, a count's usage variance, a day's prep list,
a costed dish, a solved roster, a par check and a POS batch that left lines in review each append a
DomainEvent (through the outbox, in the caller's transaction); the rules engine evaluates the pack's rules
on them, with the event's payload as the rule context (`payload_subject`).

Payloads hold JSON values only (numbers as strings where they are Decimals): the outbox stores them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from core.events.models import DomainEvent
from core.events.services import record_event, record_events
from core.rules.events import EventSubject
from core.rules.transitions import calendar_context
from core.signals.models import WeatherDay
from verticals.restaurant.models import Outlet, WasteRecord
from verticals.restaurant.selectors import usage_variance

WASTE_RECORDED = "restaurant.waste_recorded"
VARIANCE_COMPUTED = "restaurant.variance_computed"
PREP_LIST_BUILT = "restaurant.prep_list_built"
DISH_COSTED = "restaurant.dish_costed"
SCHEDULE_SOLVED = "restaurant.schedule_solved"
PAR_CHECKED = "restaurant.par_checked"
POS_REVIEWED = "restaurant.pos_reviewed"
# Every restaurant event the rule pack reads through `payload_subject`.
RULE_EVENTS = (WASTE_RECORDED, VARIANCE_COMPUTED, PREP_LIST_BUILT, DISH_COSTED, SCHEDULE_SOLVED, PAR_CHECKED, POS_REVIEWED)


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


def calendar(day: date) -> dict[str, Any]:
    """The rule grammar's calendar fields for `day`, JSON-safe."""
    values = calendar_context(day)
    return {"date": day.isoformat(), "is_weekend": values["is_weekend"], "is_holiday": values["is_holiday"]}


def weather(outlet: Outlet, day: date) -> dict[str, Any]:
    """The outlet's weather for `day` as the rules read it (probability in percent), when one was ingested."""
    row = WeatherDay.objects.filter(location_id=outlet.stock_location_id, date=day).first()
    if row is None:
        return {}
    return {
        "signal": {
            "precipitation_probability": float(row.precipitation_probability) * 100,
            "temperature_c": float(row.temperature_c),
        }
    }


def prep_list_built(outlet: Outlet, day: date, *, forecast_covers: Decimal, change_pct: Decimal | None, actor: str) -> None:
    prep: dict[str, Any] = {"forecast_covers": str(forecast_covers)}
    if change_pct is not None:
        prep["change_pct"] = str(change_pct)
    payload = {"prep": prep, "calendar": calendar(day), "outlet": {"code": outlet.code}, **weather(outlet, day)}
    record_event(PREP_LIST_BUILT, "restaurant_outlet", outlet.pk, actor=actor, payload=payload)


def dish_costed(dish_id: int, *, price: Decimal, margin_pct: Decimal | None, cost_change_pct: Decimal | None, actor: str) -> None:
    dish: dict[str, Any] = {"price": str(price)}
    if margin_pct is not None:
        dish["margin_pct"] = str(margin_pct)
    if cost_change_pct is not None:
        dish["cost_change_pct"] = str(cost_change_pct)
    record_event(DISH_COSTED, "restaurant_dish", dish_id, actor=actor, payload={"dish": dish})


def schedule_solved(
    outlet_ids: list[int], week_start: date, summary: dict[str, Any], staff: list[tuple[int, dict[str, Any]]], *, actor: str
) -> None:
    """One event for the week's roster (its unmet slots, overtime, fatigue) and one per scheduled person
    (their longest shift, weekly hours, shortest rest): the rules on people fire once per person."""
    week = {"week_start": week_start.isoformat(), "outlets": outlet_ids}
    record_event(SCHEDULE_SOLVED, "restaurant_roster", outlet_ids[0], actor=actor, payload={"schedule": summary, **week})
    record_events(SCHEDULE_SOLVED, "restaurant_staff", [(pk, {"staff": values, **week}) for pk, values in staff], actor=actor)


def par_checked(outlet: Outlet, day: date, covers: list[tuple[int, Decimal]], *, actor: str) -> None:
    """One event per ingredient with a par level: on hand as a percent of par."""
    subjects = [
        (item_id, {"par": {"cover_pct": str(pct)}, "calendar": calendar(day), "outlet": {"code": outlet.code}})
        for item_id, pct in covers
    ]
    record_events(PAR_CHECKED, "item", subjects, actor=actor)


def pos_reviewed(outlet: Outlet, *, review_count: int, void_pct: Decimal | None, actor: str) -> None:
    pos: dict[str, Any] = {"review_count": review_count}
    if void_pct is not None:
        pos["void_pct"] = str(void_pct)
    record_event(POS_REVIEWED, "restaurant_outlet", outlet.pk, actor=actor, payload={"pos": pos, "outlet": {"code": outlet.code}})


def payload_subject(event: DomainEvent) -> Iterable[EventSubject]:
    """The event's payload is the rule context; the subject is the event's own subject."""
    yield EventSubject(
        event.subject_type, str(event.subject_id), {"type": event.subject_type, "id": event.subject_id}, event.payload
    )
