"""Per-request loaders for catalog rows."""

from __future__ import annotations

from core.catalog.models import Category, Item, Unit
from core.graphql.connections import ModelLoader


class ItemLoader(ModelLoader):
    model = Item


class CategoryLoader(ModelLoader):
    model = Category


class UnitLoader(ModelLoader):
    model = Unit
