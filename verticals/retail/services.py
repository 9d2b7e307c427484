"""Retail state changes: open a shop, change its details or stock location, close it.

Each function is atomic and locks the rows it changes. Code, name, address and the active flag live on
the core `Store` (see models.RetailStore); core.locations has no update service for a store, so the two
field updates below are written here, on the locked row, and nowhere else.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.inventory.selectors import stock_levels
from core.locations.exceptions import DuplicateLocationCode
from core.locations.models import Location, LocationKind, Store, Warehouse
from core.locations.selectors import transit_locations_to
from core.locations.services import create_store, stock_location_of
from verticals.retail.exceptions import (
    AlreadyAShop,
    DuplicateStoreCode,
    InvalidStockLocation,
    StockLocationInUse,
    StockStillOnHand,
    StoreInactive,
    StoreNotFound,
    UnknownLocation,
    UnknownWarehouse,
)
from verticals.retail.models import RetailStore

OPENING_HOURS_MAX = 500


@transaction.atomic
def open_store(
    *, code: str, name: str, address: str = "", opening_hours: str = "", warehouse_id: int | None = None
) -> RetailStore:
    """A new shop: the core store with its stock location (`<code>/stock`) and the retail profile."""
    code, name = code.strip(), name.strip()
    _check_text(code=code, name=name, opening_hours=opening_hours)
    if warehouse_id is not None and not Warehouse.objects.filter(pk=warehouse_id).exists():
        raise UnknownWarehouse(f"No warehouse with id {warehouse_id}.")
    if Store.objects.filter(code=code).exists():
        raise DuplicateStoreCode(f"Store code {code} is already in use.")
    try:
        store = create_store(code, name, warehouse_id=warehouse_id, address=address.strip())
    except DuplicateLocationCode as error:  # a location already owns `<code>/stock`, or a concurrent open won
        raise DuplicateStoreCode(f"Store code {code} is already in use.") from error
    return RetailStore.objects.create(store=store, stock_location=stock_location_of(store), opening_hours=opening_hours.strip())


@transaction.atomic
def adopt_store(store_id: int, *, opening_hours: str = "") -> RetailStore:
    """Give a store the core already has (made before retail was bought) its retail profile; it sells
    from the store's own stock location (`<code>/stock`)."""
    store = Store.objects.select_for_update().filter(pk=store_id).first()
    if store is None:
        raise StoreNotFound(f"No store with id {store_id}.", field="storeId")
    if not store.active:
        raise StoreInactive(f"Store {store.code} is closed.")
    _check_text(code=store.code, name=store.name, opening_hours=opening_hours)
    if RetailStore.objects.filter(store=store).exists():
        raise AlreadyAShop(f"Store {store.code} already trades as a shop.")
    own = Location.objects.filter(store=store, code=f"{store.code}/stock").first()
    if own is None:
        raise InvalidStockLocation(f"Store {store.code} has no stock location ({store.code}/stock).", field="storeId")
    location = _free_stock_location(own.pk, retail_store_id=0)
    return RetailStore.objects.create(store=store, stock_location=location, opening_hours=opening_hours.strip())


@transaction.atomic
def update_store(
    retail_store_id: int,
    *,
    name: str | None = None,
    address: str | None = None,
    opening_hours: str | None = None,
    stock_location_id: int | None = None,
) -> RetailStore:
    """Change what is given (None leaves a field alone). A closed shop is not edited: reopen it first."""
    retail_store = _locked(retail_store_id)
    store = retail_store.store
    if not store.active:
        raise StoreInactive(f"Store {store.code} is closed.")
    _check_text(code=store.code, name=store.name if name is None else name.strip(), opening_hours=opening_hours or "")
    if name is not None or address is not None:
        store.name = store.name if name is None else name.strip()
        store.address = store.address if address is None else address.strip()
        store.save(update_fields=["name", "address"])
    if opening_hours is not None:
        retail_store.opening_hours = opening_hours.strip()
    if stock_location_id is not None and stock_location_id != retail_store.stock_location_id:
        retail_store.stock_location = _free_stock_location(stock_location_id, retail_store.pk)
    retail_store.save()
    return retail_store


@transaction.atomic
def deactivate_store(retail_store_id: int) -> RetailStore:
    """Close a shop. Refused while its location holds stock or goods are on their way to it; closing twice is
    a no-op (safe to retry)."""
    retail_store = _locked(retail_store_id)
    store = retail_store.store
    if not store.active:
        return retail_store
    if stock_levels(location_id=retail_store.stock_location_id).exists():
        raise StockStillOnHand(f"Store {store.code} still holds or reserves stock: transfer it out before closing.")
    # 在途: goods already shipped to the shop would arrive at a closed store
    inbound = transit_locations_to(retail_store.stock_location_id).values_list("pk", flat=True)
    if stock_levels().filter(location_id__in=inbound).exists():
        raise StockStillOnHand(
            f"Goods are in transit to store {store.code}: receive or redirect them before closing.", code="STOCK_IN_TRANSIT"
        )
    store.active = False
    store.save(update_fields=["active"])
    retail_store.save(update_fields=["updated_at"])
    return retail_store


def _locked(retail_store_id: int) -> RetailStore:
    """The profile and its core store, both locked (profile first, then store: one order everywhere)."""
    retail_store = RetailStore.objects.select_for_update().filter(pk=retail_store_id).first()
    if retail_store is None:
        raise StoreNotFound(f"No retail store with id {retail_store_id}.")
    retail_store.store = Store.objects.select_for_update().get(pk=retail_store.store_id)
    return retail_store


def _free_stock_location(location_id: int, retail_store_id: int) -> Location:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise UnknownLocation(f"No location with id {location_id}.")
    if location.kind != LocationKind.INTERNAL or not location.active:
        raise InvalidStockLocation(f"Location {location.code} cannot hold a shop's stock: choose an active internal location.")
    holder = RetailStore.objects.filter(stock_location_id=location_id).exclude(pk=retail_store_id).select_related("store").first()
    if holder is not None:
        raise StockLocationInUse(f"Location {location.code} already holds the stock of store {holder.store.code}.")
    return location


def _check_text(*, code: str, name: str, opening_hours: str) -> None:
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Enter the store code."
    elif len(code) > Store._meta.get_field("code").max_length:  # type: ignore[operator]
        errors["code"] = "The store code is too long."
    if not name:
        errors["name"] = "Enter the store name."
    elif len(name) > Store._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = "The store name is too long."
    if len(opening_hours.strip()) > OPENING_HOURS_MAX:
        errors["opening_hours"] = f"Opening hours are limited to {OPENING_HOURS_MAX} characters."
    if errors:
        raise ValidationError({field: ValidationError(message, code="invalid") for field, message in errors.items()})
