"""Logistics errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class LogisticsErrorCode(str, Enum):
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    EMPTY_TRANSFER = "EMPTY_TRANSFER"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_LINE = "UNKNOWN_LINE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_LOCATION = "INVALID_LOCATION"


class EmptyTransfer(DomainError):
    code = LogisticsErrorCode.EMPTY_TRANSFER.value
    field = "lines"


class UnknownItem(DomainError):
    code = LogisticsErrorCode.UNKNOWN_ITEM.value
    field = "lines"


class UnknownTransferLine(DomainError):
    code = LogisticsErrorCode.UNKNOWN_LINE.value
    field = "lines"


class InvalidQuantity(DomainError):
    code = LogisticsErrorCode.INVALID_QUANTITY.value
    field = "lines"


class InvalidLocation(DomainError):
    code = LogisticsErrorCode.INVALID_LOCATION.value
    field = "fromLocation"
