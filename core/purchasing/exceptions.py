"""Purchasing errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class PurchasingErrorCode(str, Enum):
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    OVER_RECEIPT = "OVER_RECEIPT"
    LOT_REQUIRED = "LOT_REQUIRED"
    EXPIRY_REQUIRED = "EXPIRY_REQUIRED"
    UNKNOWN_LINE = "UNKNOWN_LINE"
    EMPTY_ORDER = "EMPTY_ORDER"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_LOCATION = "INVALID_LOCATION"
    DUPLICATE_REFERENCE = "DUPLICATE_REFERENCE"
    APPROVAL_NOT_ALLOWED = "APPROVAL_NOT_ALLOWED"


class OverReceipt(DomainError):
    """More would be received than the order allows, even with the tenant's tolerance."""

    code = PurchasingErrorCode.OVER_RECEIPT.value
    field = "lines"


class LotRequired(DomainError):
    """A lot-tracked item was received without a lot code."""

    code = PurchasingErrorCode.LOT_REQUIRED.value
    field = "lines"


class ExpiryRequired(DomainError):
    """A perishable item (it has a shelf life) was received without an expiry date."""

    code = PurchasingErrorCode.EXPIRY_REQUIRED.value
    field = "lines"


class UnknownOrderLine(DomainError):
    code = PurchasingErrorCode.UNKNOWN_LINE.value
    field = "lines"


class EmptyOrder(DomainError):
    code = PurchasingErrorCode.EMPTY_ORDER.value
    field = "lines"


class InvalidQuantity(DomainError):
    code = PurchasingErrorCode.INVALID_QUANTITY.value
    field = "lines"


class InvalidLocation(DomainError):
    code = PurchasingErrorCode.INVALID_LOCATION.value
    field = "destination"


class DuplicateReference(DomainError):
    """The receipt or return reference is already used by another document."""

    code = PurchasingErrorCode.DUPLICATE_REFERENCE.value
    field = "reference"


class ApprovalNotAllowed(DomainError):
    """Only a manager (Permission.MANAGE) may approve a purchase order."""

    code = PurchasingErrorCode.APPROVAL_NOT_ALLOWED.value
