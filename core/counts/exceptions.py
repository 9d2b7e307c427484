"""Cycle count errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class CountsErrorCode(str, Enum):
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    UNCOUNTED_LINES = "UNCOUNTED_LINES"
    INVALID_REASON = "INVALID_REASON"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_LOCATION = "INVALID_LOCATION"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"


class UncountedLines(DomainError):
    code = CountsErrorCode.UNCOUNTED_LINES.value
    field = "lines"


class InvalidReason(DomainError):
    code = CountsErrorCode.INVALID_REASON.value
    field = "reason"


class InvalidQuantity(DomainError):
    code = CountsErrorCode.INVALID_QUANTITY.value
    field = "countedQuantity"


class InvalidLocation(DomainError):
    code = CountsErrorCode.INVALID_LOCATION.value
    field = "location"


class UnknownItem(DomainError):
    code = CountsErrorCode.UNKNOWN_ITEM.value
    field = "itemIds"
