"""Demo data for the food module: a cold room and a freezer at the main warehouse with a day of readings,
the cold room out of range for the last hour (a door left open), so the cold-chain page has an alarm."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.locations.models import Location
from verticals.food.models import ColdChainSensor
from verticals.food.services import ReadingInput, create_sensor, record_readings

EVERY = timedelta(minutes=15)
DAY = 96  # readings per day at one every 15 minutes


def build_food_demo() -> None:
    """Runs after the core demo (the registry puts core first); safe to run twice."""
    location = Location.objects.filter(code="WH-SH/stock").first()
    if location is None or ColdChainSensor.objects.filter(code__in=["COLD-1", "FRZ-1"]).exists():
        return
    cold = create_sensor(code="COLD-1", name="冷藏库", location_id=location.pk, min_c=Decimal("0"), max_c=Decimal("4"))
    freezer = create_sensor(code="FRZ-1", name="冷冻库", location_id=location.pk, min_c=Decimal("-25"), max_c=Decimal("-18"))
    start = timezone.now().replace(second=0, microsecond=0) - EVERY * DAY
    readings = []
    for step in range(DAY):
        at = start + EVERY * step
        door_open = step >= DAY - 4  # the last hour
        # a gentle daily swing inside the range, as a compressor cycles
        cold_c = Decimal("6.8") + Decimal(step % 4) / 2 if door_open else Decimal("2.5") + Decimal(step % 8 - 4) / 5
        readings.append(ReadingInput(cold.code, at, cold_c))
        readings.append(ReadingInput(freezer.code, at, Decimal("-21") + Decimal(step % 6 - 3) / 4))
    record_readings(readings)
