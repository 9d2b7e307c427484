"""Catalog errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class CatalogErrorCode(str, Enum):
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    CATEGORY_CYCLE = "CATEGORY_CYCLE"
    DUPLICATE_UNIT = "DUPLICATE_UNIT"
    CONVERSION_LOOP = "CONVERSION_LOOP"
    UNIT_IN_USE = "UNIT_IN_USE"


class UnknownUnit(DomainError):
    """The item has no conversion to its base unit from the given unit."""

    code = CatalogErrorCode.UNKNOWN_UNIT.value


class DuplicateSku(DomainError):
    code = CatalogErrorCode.DUPLICATE_SKU.value
    field = "sku"


class CategoryCycle(DomainError):
    code = CatalogErrorCode.CATEGORY_CYCLE.value
    field = "parent"


class DuplicateUnit(DomainError):
    code = CatalogErrorCode.DUPLICATE_UNIT.value
    field = "code"


class ConversionLoop(DomainError):
    """A conversion that leads back to its own unit (a → b → a), or converts the item's base unit."""

    code = CatalogErrorCode.CONVERSION_LOOP.value
    field = "unit"


class UnitInUse(DomainError):
    """An active item counts in this unit: archiving it would leave the item without a usable unit."""

    code = CatalogErrorCode.UNIT_IN_USE.value
    field = "code"
