"""Location errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class LocationErrorCode(str, Enum):
    DUPLICATE_CODE = "DUPLICATE_CODE"
    NOT_VIRTUAL = "NOT_VIRTUAL"
    INVALID_DESTINATION = "INVALID_DESTINATION"
    LOCATION_HOLDS_STOCK = "LOCATION_HOLDS_STOCK"


class DuplicateLocationCode(DomainError):
    code = LocationErrorCode.DUPLICATE_CODE.value
    field = "code"


class NotAVirtualKind(DomainError):
    code = LocationErrorCode.NOT_VIRTUAL.value
    field = "kind"


class InvalidDestination(DomainError):
    code = LocationErrorCode.INVALID_DESTINATION.value
    field = "destination"


class LocationHoldsStock(DomainError):
    """Archiving would hide stock that is still on hand there: move or count it out first."""

    code = LocationErrorCode.LOCATION_HOLDS_STOCK.value
    field = None
