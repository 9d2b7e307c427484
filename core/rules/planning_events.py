"""Planning events the rules engine reads: `stock.below_reorder_point` and `forecast.updated`.

- `stock.below_reorder_point`: the replenishment run records it once per proposal it creates
  (core/planning/services.py). The rule sees the item, the location and the figures the run used (position and
  reorder point as planned, on hand as it is when the rule runs), so a rule can, say, notify the store manager
  for fresh produce.
- `forecast.updated`: the nightly forecast records it per item × location that had an earlier forecast
  (core/planning/forecasting.py), with how much the P50 total over the horizon moved (`forecast.change_pct`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from core.catalog.models import Item
from core.events.models import DomainEvent
from core.inventory.models import StockLevel
from core.locations.models import Location
from core.rules.events import EventSubject, register_event_subjects
from core.rules.transitions import calendar_context

TRIGGER = "stock.below_reorder_point"
FORECAST_TRIGGER = "forecast.updated"


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def stock_subjects(events: Sequence[DomainEvent]) -> dict[int, list[EventSubject]]:
    """Batch expander: the items, locations and on-hand sums of every event in three queries."""
    items, locations = _items_and_locations(events)
    pairs = {(item, location) for item, location in (_ids(event) for event in events) if item in items and location in locations}
    on_hand: dict[tuple[int, int], Decimal] = {}
    if pairs:
        rows = (
            StockLevel.objects.filter(item_id__in={p[0] for p in pairs}, location_id__in={p[1] for p in pairs})
            .values_list("item_id", "location_id")
            .annotate(total=Sum("on_hand"))
        )
        on_hand = {(item, location): total for item, location, total in rows}
    found: dict[int, list[EventSubject]] = {}
    for event in events:
        payload = event.payload or {}
        item_id, location_id = _ids(event)
        item, location = items.get(item_id), locations.get(location_id)
        if item is None or location is None:
            found[event.pk] = []
            continue
        day: dt.date = timezone.localdate(event.occurred_at)
        context: dict[str, Any] = {
            "item": _item_context(item),
            "location": {"code": location.code, "name": location.name},
            "stock": {
                "on_hand": on_hand.get((item.pk, location.pk)) or Decimal("0"),
                "inventory_position": _decimal(payload.get("inventory_position")),
                "reorder_point": _decimal(payload.get("reorder_point")),
            },
            "calendar": calendar_context(day),
        }
        found[event.pk] = [
            EventSubject("replenishment_proposal", str(event.subject_id), payload, context, label=f"{item.sku} @ {location.code}")
        ]
    return found


def _ids(event: DomainEvent) -> tuple[int, int]:
    payload = event.payload or {}
    try:
        return int(payload.get("item_id")), int(payload.get("location_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1, -1


def _items_and_locations(events: Sequence[DomainEvent]) -> tuple[dict[int, Item], dict[int, Location]]:
    ids = [_ids(event) for event in events]
    items = Item.objects.select_related("category").in_bulk({item for item, _ in ids if item >= 0})
    locations = Location.objects.in_bulk({location for _, location in ids if location >= 0})
    return items, locations


def _item_context(item: Item) -> dict[str, Any]:
    return {"sku": item.sku, "category": item.category.name if item.category else None, "shelf_life_days": item.shelf_life_days}


def forecast_subjects(events: Sequence[DomainEvent]) -> dict[int, list[EventSubject]]:
    """Batch expander: the items and locations of every event in two queries."""
    items, locations = _items_and_locations(events)
    found: dict[int, list[EventSubject]] = {}
    for event in events:
        payload = event.payload or {}
        item_id, location_id = _ids(event)
        item, location = items.get(item_id), locations.get(location_id)
        if item is None or location is None:
            found[event.pk] = []
            continue
        context: dict[str, Any] = {
            "item": _item_context(item),
            "location": {"code": location.code, "name": location.name},
            "forecast": {
                "change_pct": _decimal(payload.get("change_pct")),
                "p50_total": _decimal(payload.get("p50_total")),
                "previous_p50_total": _decimal(payload.get("previous_p50_total")),
                "p90": _decimal(payload.get("p90_total")),
            },
            "calendar": calendar_context(timezone.localdate(event.occurred_at)),
        }
        found[event.pk] = [
            EventSubject("forecast", f"{item.pk}:{location.pk}", payload, context, label=f"{item.sku} @ {location.code}")
        ]
    return found


def register_planning_events() -> None:
    register_event_subjects(TRIGGER, stock_subjects, batch=True)
    register_event_subjects(FORECAST_TRIGGER, forecast_subjects, batch=True)
