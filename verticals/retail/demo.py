"""Demo data for the retail module: the core demo's two stores trade as shops with opening hours."""

from __future__ import annotations

from core.locations.models import Store
from verticals.retail.models import RetailStore
from verticals.retail.services import adopt_store

OPENING_HOURS = {"ST-HZ1": "每天 08:00–22:00", "ST-HZ2": "周一至周五 09:00–21:00，周末 09:00–22:00"}


def build_retail_demo() -> None:
    """Runs after the core demo (the registry puts core first); safe to run twice."""
    for store in Store.objects.filter(code__in=OPENING_HOURS, active=True).order_by("code"):
        if not RetailStore.objects.filter(store=store).exists():
            adopt_store(store.pk, opening_hours=OPENING_HOURS[store.code])
