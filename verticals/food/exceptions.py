"""Food errors with stable codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext as _

from core.errors import DomainError


class FoodErrorCode(str, Enum):
    DUPLICATE_CODE = "DUPLICATE_CODE"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    INVALID_LOCATION = "INVALID_LOCATION"
    INVALID_RANGE = "INVALID_RANGE"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_SENSOR = "UNKNOWN_SENSOR"
    SENSOR_INACTIVE = "SENSOR_INACTIVE"
    INVALID_TEMPERATURE = "INVALID_TEMPERATURE"
    INVALID_TIME = "INVALID_TIME"
    CONFLICTING_READING = "CONFLICTING_READING"
    TOO_MANY_READINGS = "TOO_MANY_READINGS"
    NO_READINGS = "NO_READINGS"
    INVALID_READINGS = "INVALID_READINGS"
    UNKNOWN_LOT = "UNKNOWN_LOT"
    NOT_TRACEABLE = "NOT_TRACEABLE"
    DEVIATION_DECIDED = "DEVIATION_DECIDED"
    NOT_FEFO = "NOT_FEFO"


class DuplicateSensorCode(DomainError):
    code = FoodErrorCode.DUPLICATE_CODE.value
    field = "code"


class UnknownLocation(DomainError):
    code = FoodErrorCode.UNKNOWN_LOCATION.value
    field = "locationId"


class InvalidSensorLocation(DomainError):
    code = FoodErrorCode.INVALID_LOCATION.value
    field = "locationId"


class InvalidTemperatureRange(DomainError):
    code = FoodErrorCode.INVALID_RANGE.value
    field = "maxC"


class SensorNotFound(DomainError):
    code = FoodErrorCode.NOT_FOUND.value
    field = "sensorId"


class BatchSizeRefused(DomainError):
    """An empty batch, or one larger than a request should carry."""

    code = FoodErrorCode.TOO_MANY_READINGS.value
    field = "readings"


@dataclass(frozen=True, order=True)
class BadReading:
    """Why one row of a batch was refused; `row` counts from 0 in the order sent."""

    row: int
    field: str  # sensorCode, recordedAt or temperatureC
    code: FoodErrorCode
    message: str


class ReadingsRejected(DomainError):
    """A batch with bad rows: every bad row is reported and nothing of the batch is stored."""

    code = FoodErrorCode.INVALID_READINGS.value
    field = "readings"

    def __init__(self, bad_rows: list[BadReading]) -> None:
        super().__init__(f"{len(bad_rows)} reading(s) refused; nothing was stored.")
        self.bad_rows = bad_rows


class RecallLotUnknown(DomainError):
    """A recall on a lot the ledger has never seen: the error names the lot, so a typo is plain."""

    code = FoodErrorCode.UNKNOWN_LOT.value
    field = "lotCode"

    def __init__(self, lot_code: str, item_sku: str) -> None:
        super().__init__(_("No lot %(lot)s of item %(sku)s is known.") % {"lot": lot_code, "sku": item_sku})
        self.lot_code = lot_code


class ComplaintNotTraceable(DomainError):
    """A complaint that names an unknown customer or item, or a sale that never happened."""

    code = FoodErrorCode.NOT_TRACEABLE.value


class DeviationNotOpen(DomainError):
    """A decision on a deviation that is already decided, or a decision that is not one of the three."""

    code = FoodErrorCode.DEVIATION_DECIDED.value
    field = "deviationId"


class NotFefo(DomainError):
    """A scanned lot that expires later than another available lot on the same shelf (FEFO)."""

    code = FoodErrorCode.NOT_FEFO.value
    field = "lotCode"
