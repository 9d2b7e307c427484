"""Retail errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class RetailErrorCode(str, Enum):
    DUPLICATE_CODE = "DUPLICATE_CODE"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    INVALID_LOCATION = "INVALID_LOCATION"
    LOCATION_IN_USE = "LOCATION_IN_USE"
    UNKNOWN_WAREHOUSE = "UNKNOWN_WAREHOUSE"
    STORE_INACTIVE = "STORE_INACTIVE"
    STOCK_ON_HAND = "STOCK_ON_HAND"
    STOCK_IN_TRANSIT = "STOCK_IN_TRANSIT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_A_SHOP = "ALREADY_A_SHOP"


class DuplicateStoreCode(DomainError):
    code = RetailErrorCode.DUPLICATE_CODE.value
    field = "code"


class UnknownLocation(DomainError):
    code = RetailErrorCode.UNKNOWN_LOCATION.value
    field = "stockLocationId"


class InvalidStockLocation(DomainError):
    """Only an active internal location (not transit, not a supplier/customer) can hold a shop's stock."""

    code = RetailErrorCode.INVALID_LOCATION.value
    field = "stockLocationId"


class StockLocationInUse(DomainError):
    code = RetailErrorCode.LOCATION_IN_USE.value
    field = "stockLocationId"


class UnknownWarehouse(DomainError):
    code = RetailErrorCode.UNKNOWN_WAREHOUSE.value
    field = "warehouseId"


class StoreInactive(DomainError):
    code = RetailErrorCode.STORE_INACTIVE.value


class StockStillOnHand(DomainError):
    """A shop with stock cannot close: the goods would vanish from every store-level figure."""

    code = RetailErrorCode.STOCK_ON_HAND.value


class StoreNotFound(DomainError):
    code = RetailErrorCode.NOT_FOUND.value
    field = "id"


class AlreadyAShop(DomainError):
    code = RetailErrorCode.ALREADY_A_SHOP.value
    field = "storeId"
