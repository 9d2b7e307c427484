"""Location reads."""

from __future__ import annotations

from django.db.models import QuerySet

from core.locations.models import Location, LocationKind


def internal_locations(*, warehouse_id: int | None = None, store_id: int | None = None) -> QuerySet[Location]:
    queryset = Location.objects.filter(kind=LocationKind.INTERNAL, active=True)
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    if store_id is not None:
        queryset = queryset.filter(store_id=store_id)
    return queryset


def transit_locations_to(destination_id: int) -> QuerySet[Location]:
    return Location.objects.filter(kind=LocationKind.TRANSIT, destination_id=destination_id)
