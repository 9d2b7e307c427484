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


def stock_subjects(event: DomainEvent) -> list[EventSubject]:
    payload = event.payload or {}
    item, location = _item_and_location(payload)
    if item is None or location is None:
        return []
    on_hand = StockLevel.objects.filter(item=item, location=location).aggregate(total=Sum("on_hand"))["total"]
    day: dt.date = timezone.localdate(event.occurred_at)
    context: dict[str, Any] = {
        "item": _item_context(item),
        "location": {"code": location.code, "name": location.name},
        "stock": {
            "on_hand": on_hand or Decimal("0"),
            "inventory_position": _decimal(payload.get("inventory_position")),
            "reorder_point": _decimal(payload.get("reorder_point")),
        },
        "calendar": calendar_context(day),
    }
    return [
        EventSubject("replenishment_proposal", str(event.subject_id), payload, context, label=f"{item.sku} @ {location.code}")
    ]


def _item_and_location(payload: dict[str, Any]) -> tuple[Item | None, Location | None]:
    item_id, location_id = payload.get("item_id"), payload.get("location_id")
    item = Item.objects.select_related("category").filter(pk=item_id).first() if item_id is not None else None
    return item, Location.objects.filter(pk=location_id).first() if location_id is not None else None


def _item_context(item: Item) -> dict[str, Any]:
    return {"sku": item.sku, "category": item.category.name if item.category else None, "shelf_life_days": item.shelf_life_days}


def forecast_subjects(event: DomainEvent) -> list[EventSubject]:
    payload = event.payload or {}
    item, location = _item_and_location(payload)
    if item is None or location is None:
        return []
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
    return [EventSubject("forecast", f"{item.pk}:{location.pk}", payload, context, label=f"{item.sku} @ {location.code}")]


def register_planning_events() -> None:
    register_event_subjects(TRIGGER, stock_subjects)
    register_event_subjects(FORECAST_TRIGGER, forecast_subjects)
