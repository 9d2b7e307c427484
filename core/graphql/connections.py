"""Relay helpers the domain apps reuse: a counted connection, the page cap and a per-request DataLoader.

How a domain app lists rows (see core/graphql/accounts.py for a working example):

    class StockLevelType(DjangoObjectType):
        class Meta:
            model = StockLevel
            fields = ("quantity", "location")          # always a whitelist
            interfaces = (graphene.relay.Node,)
            connection_class = CountedConnection       # adds totalCount

        item = graphene.Field(ItemType)

        @staticmethod
        def resolve_item(root, info):
            return ItemLoader.for_request(info).load(root.item_id)

        @classmethod
        def prepare_page(cls, nodes, info):
            # Called once per page before the edges resolve: queue every key the page will ask for,
            # so the first `load` fetches them all in one query.
            ItemLoader.for_request(info).queue(node.item_id for node in nodes)

    class ItemLoader(ModelLoader):
        model = Item

    class InventoryQueries(graphene.ObjectType):
        stock_levels = DjangoConnectionField(StockLevelType)   # capped at max_page_size()

A forward foreign key can also be joined in the queryset (`select_related`); loaders are for reverse
relations, aggregates and anything computed per key. The query count of a page must not grow with its
size: assert it with `CaptureQueriesContext` in the app's tests.

graphene-django 3 executes synchronously, so the loader needs no promises: keys are queued while a page
is prepared and fetched together on the first `load` that misses the cache. The cache lives on the
request (`info.context`), so it never outlives a request nor crosses tenants. A mutation must not read
back through a loader it filled earlier in the same request.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import graphene
from django.db import models
from graphene_django.settings import graphene_settings

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
L = TypeVar("L", bound="DataLoader[Any, Any]")


def max_page_size() -> int:
    """The most rows one connection page may return (settings.GRAPHENE RELAY_CONNECTION_MAX_LIMIT)."""
    return int(graphene_settings.RELAY_CONNECTION_MAX_LIMIT)


class CountedConnection(graphene.relay.Connection):
    """A Relay connection with `totalCount`, and a per-page hook for DataLoaders on the node type."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many rows match, over all pages.")

    @staticmethod
    def resolve_total_count(root: Any, info: Any) -> int:
        # DjangoConnectionField counts the queryset once and stores it as `length`.
        length = getattr(root, "length", None)
        return int(length) if length is not None else len(root.edges)

    @staticmethod
    def resolve_edges(root: Any, info: Any) -> Sequence[Any]:
        prepare_page = getattr(type(root)._meta.node, "prepare_page", None)
        if prepare_page is not None and root.edges:
            prepare_page([edge.node for edge in root.edges], info)
        return root.edges


class DataLoader(Generic[K, V]):
    """Batches `load(key)` calls of one request into one `batch_load(keys)`; caches per request."""

    def __init__(self) -> None:
        self._cache: dict[K, V | None] = {}
        self._queued: dict[K, None] = {}  # an ordered set

    @classmethod
    def for_request(cls: type[L], info: Any) -> L:
        """The loader of this class for the current request (one instance per request)."""
        context = info.context
        loaders: dict[type, DataLoader[Any, Any]] | None = getattr(context, "_dataloaders", None)
        if loaders is None:
            loaders = {}
            context._dataloaders = loaders
        if cls not in loaders:
            loaders[cls] = cls()
        return loaders[cls]  # type: ignore[return-value]

    def batch_load(self, keys: list[K]) -> Mapping[K, V]:
        """Fetch all `keys` at once; a key missing from the result loads as None."""
        raise NotImplementedError(f"{type(self).__name__} must define batch_load")

    def queue(self, keys: Iterable[K | None]) -> None:
        """Announce keys that will be loaded soon; nothing is fetched until a `load` misses."""
        for key in keys:
            if key is not None and key not in self._cache:
                self._queued[key] = None

    def load(self, key: K | None) -> V | None:
        if key is None:
            return None
        if key not in self._cache:
            self.queue([key])
            self._flush()
        return self._cache[key]

    def load_many(self, keys: Iterable[K | None]) -> list[V | None]:
        keys = list(keys)
        self.queue(keys)
        self._flush()
        return [None if key is None else self._cache[key] for key in keys]

    def prime(self, key: K, value: V) -> None:
        self._cache.setdefault(key, value)
        self._queued.pop(key, None)

    def _flush(self) -> None:
        keys = list(self._queued)
        self._queued.clear()
        if not keys:
            return
        found = self.batch_load(keys)
        for key in keys:
            self._cache[key] = found.get(key)


class ModelLoader(DataLoader[Any, models.Model]):
    """Rows of `model` by primary key, e.g. `class ItemLoader(ModelLoader): model = Item`."""

    model: ClassVar[type[models.Model]]

    def batch_load(self, keys: list[Any]) -> Mapping[Any, models.Model]:
        return self.model._default_manager.in_bulk(keys)
