"""Cold-chain reads: sensors, their latest reading, and excursions (温度超标) found from the readings.

An excursion is a run of consecutive out-of-range readings of one sensor. It ends at the first reading
back in range; while the latest reading is still out of range it is open. Excursions are computed from
the readings on every read rather than stored, so a late batch (a logger that was offline) fills in or
splits them correctly without any repair job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet

from verticals.food.models import ColdChainReading, ColdChainSensor


@dataclass(frozen=True)
class Excursion:
    sensor_id: int
    started_at: datetime
    last_out_of_range_at: datetime
    ended_at: datetime | None  # the first reading back in range; None while open
    reading_count: int
    lowest_c: Decimal
    highest_c: Decimal

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def duration(self, as_of: datetime) -> timedelta:
        """How long the goods were (or have been, while open) outside their range."""
        return (self.ended_at or max(as_of, self.last_out_of_range_at)) - self.started_at


def sensors(*, active: bool | None = None, search: str = "") -> QuerySet[ColdChainSensor]:
    queryset = ColdChainSensor.objects.select_related("location")
    if active is not None:
        queryset = queryset.filter(active=active)
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("code", "pk")


def readings(sensor_id: int, *, since: datetime | None = None, until: datetime | None = None) -> QuerySet[ColdChainReading]:
    queryset = ColdChainReading.objects.filter(sensor_id=sensor_id)
    if since is not None:
        queryset = queryset.filter(recorded_at__gte=since)
    if until is not None:
        queryset = queryset.filter(recorded_at__lt=until)
    return queryset.order_by("-recorded_at", "-pk")


def latest_readings(sensor_ids: Iterable[int]) -> dict[int, ColdChainReading]:
    """Each sensor's newest reading, in one query (DISTINCT ON walks the unique index backwards)."""
    ids = list(sensor_ids)
    if not ids:
        return {}
    newest = ColdChainReading.objects.filter(sensor_id__in=ids).order_by("sensor_id", "-recorded_at").distinct("sensor_id")
    return {reading.sensor_id: reading for reading in newest}


_TABLE = ColdChainReading._meta.db_table
_SENSORS = ColdChainSensor._meta.db_table

# Gaps and islands: within one sensor, the difference of two row numbers is constant along a run of
# equal `out_of_range`. The run's end is the `next_at` of its last row (NULL while the run is open).
_EXCURSIONS_SQL = f"""
WITH ordered AS (
    SELECT sensor_id, recorded_at, temperature_c, out_of_range,
           lead(recorded_at) OVER w AS next_at,
           row_number() OVER w - row_number() OVER (PARTITION BY sensor_id, out_of_range ORDER BY recorded_at) AS island
    FROM {_TABLE}
    WHERE recorded_at >= %(since)s AND (%(sensor_id)s::bigint IS NULL OR sensor_id = %(sensor_id)s::bigint)
    WINDOW w AS (PARTITION BY sensor_id ORDER BY recorded_at)
)
SELECT sensor_id, min(recorded_at), max(recorded_at), (array_agg(next_at ORDER BY recorded_at DESC))[1],
       count(*), min(temperature_c), max(temperature_c)
FROM ordered WHERE out_of_range
GROUP BY sensor_id, island
ORDER BY min(recorded_at) DESC, sensor_id
LIMIT %(limit)s
"""

# An open excursion is everything after the sensor's last in-range reading, when that is not empty. Per
# sensor (LATERAL), both steps walk the (sensor, recorded_at) unique index backwards from the newest
# reading, so the cost follows the length of the open runs, not the size of the history.
_OPEN_EXCURSIONS_SQL = f"""
SELECT s.id, run.started_at, run.last_at, NULL, run.readings, run.lowest, run.highest
FROM {_SENSORS} s
CROSS JOIN LATERAL (
    SELECT min(r.recorded_at) AS started_at, max(r.recorded_at) AS last_at, count(*) AS readings,
           min(r.temperature_c) AS lowest, max(r.temperature_c) AS highest
    FROM {_TABLE} r
    WHERE r.sensor_id = s.id
      AND r.recorded_at > COALESCE(
          (SELECT b.recorded_at FROM {_TABLE} b WHERE b.sensor_id = s.id AND NOT b.out_of_range
           ORDER BY b.recorded_at DESC LIMIT 1),
          '-infinity'::timestamptz)
) run
WHERE run.readings > 0 AND (%(sensor_ids)s::bigint[] IS NULL OR s.id = ANY(%(sensor_ids)s::bigint[]))
ORDER BY run.started_at, s.id
"""


def excursions(*, since: datetime, sensor_id: int | None = None, limit: int = 500) -> list[Excursion]:
    """Excursions with readings since `since`, newest first. One that began earlier is shown from `since`."""
    with connection.cursor() as cursor:
        cursor.execute(_EXCURSIONS_SQL, {"since": since, "sensor_id": sensor_id, "limit": limit})
        return [Excursion(*row) for row in cursor.fetchall()]


def open_excursions(sensor_ids: Iterable[int] | None = None) -> list[Excursion]:
    """Every sensor still out of range, with when it left its range; the oldest first (the most urgent)."""
    ids = None if sensor_ids is None else list(sensor_ids)
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_EXCURSIONS_SQL, {"sensor_ids": ids})
        return [Excursion(*row) for row in cursor.fetchall()]
