"""Sales errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class SalesErrorCode(str, Enum):
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    NOT_FULLY_ALLOCATED = "NOT_FULLY_ALLOCATED"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_LINE = "UNKNOWN_LINE"
    EMPTY_ORDER = "EMPTY_ORDER"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_LOCATION = "INVALID_LOCATION"
    DUPLICATE_REFERENCE = "DUPLICATE_REFERENCE"


class NotFullyAllocated(DomainError):
    """The order still has backordered lines; it is picked once stock arrives and it is allocated again."""

    code = SalesErrorCode.NOT_FULLY_ALLOCATED.value
    field = "state"


class UnknownItem(DomainError):
    code = SalesErrorCode.UNKNOWN_ITEM.value
    field = "lines"


class UnknownOrderLine(DomainError):
    code = SalesErrorCode.UNKNOWN_LINE.value
    field = "lines"


class EmptyOrder(DomainError):
    code = SalesErrorCode.EMPTY_ORDER.value
    field = "lines"


class InvalidQuantity(DomainError):
    code = SalesErrorCode.INVALID_QUANTITY.value
    field = "lines"


class InvalidLocation(DomainError):
    code = SalesErrorCode.INVALID_LOCATION.value
    field = "source"


class DuplicateReference(DomainError):
    code = SalesErrorCode.DUPLICATE_REFERENCE.value
    field = "reference"
