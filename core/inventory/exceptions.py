"""Ledger errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class InventoryErrorCode(str, Enum):
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    LOT_REQUIRED = "LOT_REQUIRED"
    UNKNOWN_LOT = "UNKNOWN_LOT"
    INVALID_MOVE = "INVALID_MOVE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    UNKNOWN_POSTING = "UNKNOWN_POSTING"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    LOT_ON_HOLD = "LOT_ON_HOLD"


class InventoryError(DomainError):
    code = InventoryErrorCode.INVALID_MOVE.value


class InsufficientStock(InventoryError):
    """On hand (or on hand less reserved) would fall below zero at a stock-holding location."""

    code = InventoryErrorCode.INSUFFICIENT_STOCK.value


class LotRequired(InventoryError):
    code = InventoryErrorCode.LOT_REQUIRED.value


class UnknownLot(InventoryError):
    code = InventoryErrorCode.UNKNOWN_LOT.value


class InvalidMove(InventoryError):
    code = InventoryErrorCode.INVALID_MOVE.value


class InvalidQuantity(InventoryError):
    code = InventoryErrorCode.INVALID_QUANTITY.value


class UnknownPosting(InventoryError):
    code = InventoryErrorCode.UNKNOWN_POSTING.value


class IdempotencyKeyReused(InventoryError):
    """The idempotency key was already used for a posting with another payload (Stripe's rule)."""

    code = InventoryErrorCode.IDEMPOTENCY_KEY_REUSED.value


class LotOnHold(InventoryError):
    """A line names a lot that is on hold (recall quarantine, quality deviation): it may not be picked."""

    code = InventoryErrorCode.LOT_ON_HOLD.value
