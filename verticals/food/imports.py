"""Reading a logger's CSV export into ReadingInputs; the service judges the values (services.record_readings)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils.dateparse import parse_datetime

from verticals.food.services import ReadingInput

COLUMNS = ("sensor_code", "recorded_at", "temperature_c")
# the service names a bad row's field as the API does; the file's reader knows it by its column
COLUMN_OF_FIELD = {"sensorCode": "sensor_code", "recordedAt": "recorded_at", "temperatureC": "temperature_c"}
HEADER_LINES = 1  # a bad row's line in the file is its index + 2 (1-based, after the header)


class BadExport(ValueError):
    """The file is not a CSV with the expected columns (no row is looked at)."""


def readings_from_csv(text: str) -> list[ReadingInput]:
    """Rows of `sensor_code,recorded_at,temperature_c` (ISO 8601 time; without an offset, the company's
    time zone). A time that does not parse is passed on as text, so the service reports it with its row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise BadExport(f"The file needs the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}.")
    return [
        ReadingInput(
            sensor_code=(row["sensor_code"] or "").strip(),
            recorded_at=_time(row["recorded_at"] or ""),  # type: ignore[arg-type]
            temperature_c=(row["temperature_c"] or "").strip(),
        )
        for row in reader
    ]


def _time(text: str) -> datetime | str:
    try:
        return parse_datetime(text.strip()) or text
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        return text
