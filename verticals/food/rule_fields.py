"""The fields and trigger the food rules read, registered with the rule catalog in FoodConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable

from core.events.models import DomainEvent
from core.rules.catalog import FieldSpec, FieldType
from core.rules.events import EventSubject
from verticals.food.rules import DEVIATION_OVERDUE

M = "food"
N = FieldType.NUMBER

# What the deviation escalation rules read (verticals/food/deviations.py: overdue_context).
FOOD_FIELDS = (
    FieldSpec(
        "deviation.hours_overdue", N, "偏差超期小时数", "deviation hours overdue", ("超期小时数",), ("hours overdue",), module=M
    ),
    FieldSpec("deviation.lot_count", N, "偏差批次数", "deviation lot count", ("受影响批次数",), ("affected lots",), module=M),
    FieldSpec("deviation.peak_c", N, "偏差温度", "deviation temperature", ("超标温度",), ("excursion temperature",), module=M),
)
FOOD_TRIGGERS = {DEVIATION_OVERDUE: ("偏差调查超期", "deviation overdue")}


def payload_subject(event: DomainEvent) -> Iterable[EventSubject]:
    """The event's payload is the rule context; the subject is the deviation."""
    yield EventSubject(
        event.subject_type, str(event.subject_id), {"type": event.subject_type, "id": event.subject_id}, event.payload
    )
