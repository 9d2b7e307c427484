"""Location state changes: warehouses, stores, bins, the per-tenant virtual locations and transit."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.locations.exceptions import DuplicateLocationCode, InvalidDestination, LocationHoldsStock, NotAVirtualKind
from core.locations.models import VIRTUAL_KINDS, Location, LocationKind, Store, Warehouse

VIRTUAL_CODE_PREFIX = "virtual/"


def _save_unique(instance: Any) -> Any:
    instance.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise DuplicateLocationCode(_("The code “%(code)s” is already in use.") % {"code": instance.code}) from error
    return instance


@transaction.atomic
def create_warehouse(code: str, name: str, *, address: str = "") -> Warehouse:
    """A warehouse with its main stock location (code `<warehouse>/stock`)."""
    warehouse = _save_unique(Warehouse(code=code, name=name, address=address))
    _save_unique(Location(code=f"{code}/stock", name=name, kind=LocationKind.INTERNAL, warehouse=warehouse))
    return warehouse


@transaction.atomic
def create_store(code: str, name: str, *, warehouse_id: int | None = None, address: str = "") -> Store:
    """A store with its stock location (code `<store>/stock`)."""
    store = _save_unique(Store(code=code, name=name, warehouse_id=warehouse_id, address=address))
    _save_unique(Location(code=f"{code}/stock", name=name, kind=LocationKind.INTERNAL, store=store))
    return store


def stock_location_of(owner: Warehouse | Store) -> Location:
    """The main stock location made with a warehouse or store."""
    return Location.objects.get(code=f"{owner.code}/stock")


def create_location(
    code: str,
    name: str,
    *,
    kind: str = LocationKind.INTERNAL,
    warehouse_id: int | None = None,
    store_id: int | None = None,
    parent_id: int | None = None,
) -> Location:
    if kind in VIRTUAL_KINDS:
        # One per tenant, made on demand: see get_virtual_location.
        raise NotAVirtualKind("Virtual locations are created by the system.", code="INVALID")
    if kind == LocationKind.TRANSIT:
        raise InvalidDestination("Use create_transit_location for a shipment or transfer.")
    return _save_unique(
        Location(code=code, name=name, kind=kind, warehouse_id=warehouse_id, store_id=store_id, parent_id=parent_id)
    )


def get_virtual_location(kind: str) -> Location:
    """The tenant's single location of a virtual kind (supplier, customer, inventory_loss, ...), made once.

    Safe under concurrency: the unique code decides, and a loser of the race reads the winner's row.
    """
    if kind not in VIRTUAL_KINDS:
        raise NotAVirtualKind(f"{kind} is not a virtual location kind.")
    code = f"{VIRTUAL_CODE_PREFIX}{kind}"
    location = Location.objects.filter(code=code).first()
    if location is not None:
        return location
    try:
        with transaction.atomic():
            return Location.objects.create(code=code, name=LocationKind(kind).label, kind=kind)
    except IntegrityError:
        return Location.objects.get(code=code)


def create_transit_location(destination: Location | int, reference: str) -> Location:
    """A 在途 location for one shipment or transfer; its goods count toward `destination`'s position."""
    destination_id = destination.pk if isinstance(destination, Location) else destination
    kind = Location.objects.filter(pk=destination_id).values_list("kind", flat=True).first()
    if kind != LocationKind.INTERNAL:
        raise InvalidDestination("Goods in transit must be headed to an internal location.")
    code = f"transit/{reference}/{uuid.uuid4().hex[:8]}"
    return Location.objects.create(
        code=code[:80],
        name=f"In transit: {reference}",
        kind=LocationKind.TRANSIT,
        destination_id=destination_id,
        reference=reference,
    )


def close_transit_location(location_id: int) -> None:
    """Mark a transit location inactive once the shipment has arrived; it stays for the history."""
    Location.objects.filter(pk=location_id, kind=LocationKind.TRANSIT).update(active=False)


@transaction.atomic
def update_warehouse(warehouse_id: int, *, code: str, name: str, address: str = "") -> Warehouse:
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    warehouse.code, warehouse.name, warehouse.address = code, name, address
    return _save_unique(warehouse)


@transaction.atomic
def update_location(
    location_id: int, *, code: str, name: str, warehouse_id: int | None = None, parent_id: int | None = None
) -> Location:
    """Rename or move a stock location (a bin is a location with a parent); virtual and transit ones are the system's."""
    location = Location.objects.select_for_update().get(pk=location_id)
    if location.kind != LocationKind.INTERNAL:
        raise NotAVirtualKind(_("Only your own stock locations can be edited."), code="INVALID")
    if parent_id is not None and _is_below(parent_id, location.pk):
        raise InvalidDestination(_("A location cannot sit inside itself."), field="parent")
    location.code, location.name, location.warehouse_id, location.parent_id = code, name, warehouse_id, parent_id
    return _save_unique(location)


def _is_below(candidate_id: int, location_id: int) -> bool:
    cursor: int | None = candidate_id
    seen: set[int] = set()
    while cursor is not None and cursor not in seen:
        if cursor == location_id:
            return True
        seen.add(cursor)
        cursor = Location.objects.filter(pk=cursor).values_list("parent_id", flat=True).first()
    return False


@transaction.atomic
def archive_location(location_id: int) -> Location:
    """Archive a stock location (and its bins); refused while any of them holds or has reserved stock.

    The levels are locked first, so a receipt cannot land between the check and the archive."""
    from core.inventory.models import StockLevel

    location = Location.objects.select_for_update().get(pk=location_id)
    tree = [location.pk, *_descendant_ids(location.pk)]
    held = (
        StockLevel.objects.select_for_update()
        .filter(location_id__in=tree)
        .exclude(on_hand=0, reserved=0)
        .order_by("item_id", "location_id", "lot_id")
    )
    if list(held[:1]):
        raise LocationHoldsStock(
            _("“%(code)s” still holds stock. Move it or count it out before archiving the location.") % {"code": location.code}
        )
    Location.objects.filter(pk__in=tree).update(active=False)
    location.refresh_from_db()
    return location


def _descendant_ids(location_id: int) -> list[int]:
    found: list[int] = []
    frontier = [location_id]
    while frontier:
        frontier = list(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


@transaction.atomic
def archive_warehouse(warehouse_id: int) -> Warehouse:
    """Archive a warehouse with its locations; refused while any of them holds stock."""
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    for location_id in Location.objects.filter(warehouse=warehouse, parent__isnull=True).values_list("pk", flat=True):
        archive_location(location_id)
    warehouse.active = False
    warehouse.save(update_fields=["active"])
    return warehouse
