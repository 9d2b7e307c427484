"""Catalog errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class CatalogErrorCode(str, Enum):
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    CATEGORY_CYCLE = "CATEGORY_CYCLE"


class UnknownUnit(DomainError):
    """The item has no conversion to its base unit from the given unit."""

    code = CatalogErrorCode.UNKNOWN_UNIT.value


class DuplicateSku(DomainError):
    code = CatalogErrorCode.DUPLICATE_SKU.value
    field = "sku"


class CategoryCycle(DomainError):
    code = CatalogErrorCode.CATEGORY_CYCLE.value
    field = "parent"
