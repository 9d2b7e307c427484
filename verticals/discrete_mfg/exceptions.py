"""Manufacturing errors with stable codes; messages are in the reader's language (gettext)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class MfgErrorCode(str, Enum):
    BOM_CYCLE = "BOM_CYCLE"
    NOT_EDITABLE = "NOT_EDITABLE"
    LOCKED_VERSION = "LOCKED_VERSION"
    STALE_BASE = "STALE_BASE"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    MISSING_UNIT_CONVERSION = "MISSING_UNIT_CONVERSION"
    NO_RELEASED_BOM = "NO_RELEASED_BOM"
    OVER_ISSUE = "OVER_ISSUE"
    WORK_ORDER_NOT_OPEN = "WORK_ORDER_NOT_OPEN"
    NOT_FOUND = "NOT_FOUND"
    PLANNED_ORDER_CLOSED = "PLANNED_ORDER_CLOSED"
    NO_SUPPLIER = "NO_SUPPLIER"


class BomCycle(DomainError):
    """A component would contain its own parent; `path` is the chain of SKUs that closes the cycle."""

    code = MfgErrorCode.BOM_CYCLE.value
    field = "componentId"

    def __init__(self, message: str, *, path: list[str]) -> None:
        super().__init__(message)
        self.path = path


class BomNotEditable(DomainError):
    code = MfgErrorCode.NOT_EDITABLE.value


class LockedVersion(DomainError):
    code = MfgErrorCode.LOCKED_VERSION.value


class StaleBaseVersion(DomainError):
    """Another ECO released a newer version of the assembly since this one was drafted."""

    code = MfgErrorCode.STALE_BASE.value


class UnknownMfgItem(DomainError):
    code = MfgErrorCode.UNKNOWN_ITEM.value


class InvalidMfgQuantity(DomainError):
    code = MfgErrorCode.INVALID_QUANTITY.value
    field = "quantity"


class MissingUnitConversion(DomainError):
    """A BOM line is in a unit its component has no conversion for; MRP names the item and writes nothing."""

    code = MfgErrorCode.MISSING_UNIT_CONVERSION.value
    field = "unit"

    def __init__(self, message: str, *, sku: str) -> None:
        super().__init__(message)
        self.sku = sku


class NoReleasedBom(DomainError):
    code = MfgErrorCode.NO_RELEASED_BOM.value
    field = "itemId"


class OverIssue(DomainError):
    code = MfgErrorCode.OVER_ISSUE.value
    field = "quantity"


class WorkOrderNotOpen(DomainError):
    code = MfgErrorCode.WORK_ORDER_NOT_OPEN.value


class MfgNotFound(DomainError):
    code = MfgErrorCode.NOT_FOUND.value
    field = "id"


class PlannedOrderClosed(DomainError):
    """The planned order was flagged by a cancelled demand, or belongs to an older MRP run."""

    code = MfgErrorCode.PLANNED_ORDER_CLOSED.value
    field = "id"


class NoSupplier(DomainError):
    """A planned purchase cannot become a purchase order: the part has no supplier in its planning profile."""

    code = MfgErrorCode.NO_SUPPLIER.value
    field = "supplierId"
