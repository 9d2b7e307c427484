"""Retail (零售) data: the retail profile of a core store — where its stock is held and when it trades."""

from __future__ import annotations

from django.db import models

from core.locations.models import Location, Store


class RetailStore(models.Model):
    """A store that trades as a retail shop (门店).

    The core `Store` keeps the code, name, address and the active flag, so the store is the same row for
    the ledger, transfers and replenishment; this table adds what only retail needs. The vertical points
    at the core table, never the reverse (DESIGN.md, Modules).
    """

    store = models.OneToOneField(Store, on_delete=models.PROTECT, related_name="retail_profile")
    # The location whose stock the shop sells from; one shop per location, so store-level figures
    # (on hand, sell-through) are never counted twice.
    stock_location = models.OneToOneField(Location, on_delete=models.PROTECT, related_name="retail_store")
    opening_hours = models.TextField(blank=True, max_length=500, help_text="Free text, e.g. 每天 09:00–22:00.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("store__code",)

    def __str__(self) -> str:
        return str(self.store)

    @property
    def code(self) -> str:
        return self.store.code

    @property
    def name(self) -> str:
        return self.store.name

    @property
    def address(self) -> str:
        return self.store.address

    @property
    def active(self) -> bool:
        return self.store.active
