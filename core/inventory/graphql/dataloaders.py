"""Per-request loaders for the ledger's related rows."""

from __future__ import annotations

from core.catalog.graphql.dataloaders import ItemLoader
from core.graphql.connections import ModelLoader
from core.inventory.models import Lot, Posting
from core.locations.graphql.types import LocationLoader


class LotLoader(ModelLoader):
    model = Lot


class PostingLoader(ModelLoader):
    model = Posting


__all__ = ["ItemLoader", "LocationLoader", "LotLoader", "PostingLoader"]
