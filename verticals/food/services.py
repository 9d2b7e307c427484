"""Cold-chain state changes: register a sensor, ingest its readings (批量导入, idempotent)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.events.services import record_events
from core.locations.models import Location, LocationKind
from verticals.food.exceptions import (
    BadReading,
    BatchSizeRefused,
    DuplicateSensorCode,
    FoodErrorCode,
    InvalidSensorLocation,
    InvalidTemperatureRange,
    ReadingsRejected,
    UnknownLocation,
)
from verticals.food.models import ColdChainReading, ColdChainSensor

MAX_BATCH = 5000  # about three days of one-minute readings from one logger, or a day of 4 loggers
# Outside this a logger is faulty or unplugged, not reporting the room: refuse rather than flag.
PLAUSIBLE_C = (Decimal("-90"), Decimal("90"))
CLOCK_SKEW = timedelta(minutes=5)  # loggers' clocks drift; a reading further ahead is a bad clock
HUNDREDTH = Decimal("0.01")
EXCURSION_DETECTED = "food.excursion_detected"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadingInput:
    sensor_code: str
    recorded_at: datetime
    temperature_c: Decimal | str | float | int


@dataclass(frozen=True)
class IngestResult:
    stored: int
    already_stored: int  # identical readings sent before: a re-sent export is a no-op
    out_of_range: int  # among the newly stored


@transaction.atomic
def create_sensor(*, code: str, location_id: int, min_c: Decimal, max_c: Decimal, name: str = "") -> ColdChainSensor:
    code = code.strip()
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise UnknownLocation(f"No location with id {location_id}.")
    if location.kind != LocationKind.INTERNAL:
        raise InvalidSensorLocation(f"Location {location.code} holds no goods: put the sensor in an internal location.")
    low, high = _temperature(min_c), _temperature(max_c)
    if low is None or high is None or not low < high:
        raise InvalidTemperatureRange("The lowest allowed temperature must be below the highest, both between -90 and 90 °C.")
    sensor = ColdChainSensor(code=code, name=name.strip(), location=location, min_c=low, max_c=high)
    sensor.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            sensor.save()
    except IntegrityError as error:
        raise DuplicateSensorCode(f"Sensor code {code} is already in use.") from error
    return sensor


@transaction.atomic
def record_readings(readings: Sequence[ReadingInput], *, now: datetime | None = None) -> IngestResult:
    """Store a batch of readings, all or nothing.

    Every row is checked first; any bad row (unknown or inactive sensor, implausible temperature, a time
    in the future, a different temperature for a time already stored) refuses the whole batch with every
    bad row listed. A reading already stored with the same temperature is skipped, so re-sending a
    logger's export is safe. The sensors are locked (in pk order) so two batches for one sensor cannot
    both pass the conflict check and race on the insert.
    """
    if not readings or len(readings) > MAX_BATCH:
        raise BatchSizeRefused(f"Send between 1 and {MAX_BATCH} readings per batch (got {len(readings)}).")
    now = now or timezone.now()
    codes = {reading.sensor_code.strip() for reading in readings}
    sensors = {
        sensor.code: sensor for sensor in ColdChainSensor.objects.select_for_update().filter(code__in=codes).order_by("pk")
    }
    bad: list[BadReading] = []
    accepted: dict[tuple[int, datetime], tuple[int, Decimal]] = {}
    for row, reading in enumerate(readings):
        checked = _check_row(row, reading, sensors, now, bad)
        if checked is None:
            continue
        key, temperature = checked
        first = accepted.setdefault(key, (row, temperature))
        if first[1] != temperature:
            message = f"Row {first[0]} sends {first[1]} °C for the same sensor and time."
            bad.append(_bad(row, "temperatureC", FoodErrorCode.CONFLICTING_READING, message))
    bad.extend(_conflicts_with_stored(accepted))
    if bad:
        # refused, never stored, but logged: a faulty logger (−300 °C, a clock in the future) must be found
        logger.warning("cold-chain batch refused: %s bad row(s), first: %s", len(bad), min(bad).message)
        raise ReadingsRejected(sorted(bad))
    return _insert_new(accepted, {sensor.pk: sensor for sensor in sensors.values()})


def _check_row(
    row: int, reading: ReadingInput, sensors: dict[str, ColdChainSensor], now: datetime, bad: list[BadReading]
) -> tuple[tuple[int, datetime], Decimal] | None:
    """The row's (sensor, time) key and temperature, or None after appending what is wrong with it."""
    sensor = sensors.get(reading.sensor_code.strip())
    found_before = len(bad)
    if sensor is None:
        bad.append(_bad(row, "sensorCode", FoodErrorCode.UNKNOWN_SENSOR, f"No sensor with code {reading.sensor_code!r}."))
    elif not sensor.active:
        bad.append(_bad(row, "sensorCode", FoodErrorCode.SENSOR_INACTIVE, f"Sensor {sensor.code} is switched off."))
    temperature = _temperature(reading.temperature_c)
    if temperature is None:
        low, high = PLAUSIBLE_C
        message = f"{reading.temperature_c!r} is not a temperature between {low} and {high} °C."
        bad.append(_bad(row, "temperatureC", FoodErrorCode.INVALID_TEMPERATURE, message))
    recorded_at = reading.recorded_at
    if not isinstance(recorded_at, datetime):
        bad.append(_bad(row, "recordedAt", FoodErrorCode.INVALID_TIME, "Send the time the reading was taken."))
    else:
        # A logger exporting local time without an offset means the company's time zone.
        recorded_at = recorded_at if timezone.is_aware(recorded_at) else timezone.make_aware(recorded_at)
        if recorded_at > now + CLOCK_SKEW:
            bad.append(_bad(row, "recordedAt", FoodErrorCode.INVALID_TIME, f"{recorded_at.isoformat()} is in the future."))
    if len(bad) > found_before:
        return None
    return (sensor.pk, recorded_at), temperature  # type: ignore[union-attr,return-value]


def _conflicts_with_stored(accepted: dict[tuple[int, datetime], tuple[int, Decimal]]) -> list[BadReading]:
    """Rows whose (sensor, time) is stored with another temperature: a reading is a record, never rewritten."""
    if not accepted:
        return []
    stored = ColdChainReading.objects.filter(
        sensor_id__in={sensor_id for sensor_id, _ in accepted}, recorded_at__in={at for _, at in accepted}
    ).values_list("sensor_id", "recorded_at", "temperature_c")
    conflicts = []
    for sensor_id, recorded_at, temperature in stored:
        row, sent = accepted.get((sensor_id, recorded_at), (None, None))
        if row is not None and sent != temperature:
            message = f"{temperature} °C is already stored for this sensor at {recorded_at.isoformat()}."
            conflicts.append(_bad(row, "temperatureC", FoodErrorCode.CONFLICTING_READING, message))
    return conflicts


def _insert_new(accepted: dict[tuple[int, datetime], tuple[int, Decimal]], sensors: dict[int, ColdChainSensor]) -> IngestResult:
    """One INSERT … ON CONFLICT DO NOTHING for the batch; RETURNING counts what was really new."""
    keys = sorted(accepted)
    sensor_ids = [sensor_id for sensor_id, _ in keys]
    times = [at for _, at in keys]
    temperatures = [accepted[key][1] for key in keys]
    flags = [
        not sensors[sensor_id].min_c <= t <= sensors[sensor_id].max_c
        for sensor_id, t in zip(sensor_ids, temperatures, strict=True)
    ]
    table = connection.ops.quote_name(ColdChainReading._meta.db_table)
    sql = f"""
        INSERT INTO {table} (sensor_id, recorded_at, temperature_c, out_of_range, received_at)
        SELECT s, r, t, o, now() FROM unnest(%s::bigint[], %s::timestamptz[], %s::numeric[], %s::boolean[]) AS u(s, r, t, o)
        ON CONFLICT (sensor_id, recorded_at) DO NOTHING
        RETURNING out_of_range, sensor_id, recorded_at, temperature_c
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [sensor_ids, times, temperatures, flags])
        inserted = cursor.fetchall()
    _announce_excursions([(sensor_id, at, t) for out, sensor_id, at, t in inserted if out])
    return IngestResult(
        stored=len(inserted), already_stored=len(keys) - len(inserted), out_of_range=sum(1 for row in inserted if row[0])
    )


def _announce_excursions(out_of_range: list[tuple[int, datetime, Decimal]]) -> None:
    """One `food.excursion_detected` event per sensor with new out-of-range readings (its earliest), in the
    batch's transaction: the food module's consumer opens the deviation investigation from it."""
    first: dict[int, tuple[datetime, Decimal]] = {}
    for sensor_id, at, temperature in sorted(out_of_range):
        first.setdefault(sensor_id, (at, temperature))
    subjects = [
        (sensor_id, {"recorded_at": at.isoformat(), "temperature_c": str(temperature)})
        for sensor_id, (at, temperature) in first.items()
    ]
    record_events(EXCURSION_DETECTED, "cold_chain_sensor", subjects)


def _temperature(value: object) -> Decimal | None:
    """A plausible temperature to the hundredth, or None."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    number = number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    low, high = PLAUSIBLE_C
    return number if low <= number <= high else None


def _bad(row: int, field: str, code: FoodErrorCode, message: str) -> BadReading:
    return BadReading(row=row, field=field, code=code, message=message)
