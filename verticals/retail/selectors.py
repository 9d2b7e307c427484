"""Retail reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.locations.models import Location, Store
from core.locations.selectors import internal_locations
from verticals.retail.models import RetailStore


def retail_stores(*, active: bool | None = None, search: str = "") -> QuerySet[RetailStore]:
    queryset = RetailStore.objects.select_related("store", "stock_location")
    if active is not None:
        queryset = queryset.filter(store__active=active)
    if search:
        queryset = queryset.filter(Q(store__code__icontains=search) | Q(store__name__icontains=search))
    return queryset.order_by("store__code", "pk")


def shop_stock_locations() -> QuerySet[Location]:
    """Locations a shop may sell from: active and internal."""
    return internal_locations().order_by("code")


def stores_without_profile() -> QuerySet[Store]:
    """Active core stores that do not trade as shops yet (made before retail was bought)."""
    return Store.objects.filter(active=True, retail_profile__isnull=True).order_by("code")
