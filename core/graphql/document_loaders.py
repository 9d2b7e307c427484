"""Loaders shared by the document APIs (purchase, sales, transfer, count): the blocking reason per document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models

from core.graphql.connections import DataLoader


class BlockingReasonLoader(DataLoader[int, str]):
    """Why each document of `subject_type` is stuck now ("" when it is not), in one query for the page.

    Same rule as core.events.pipeline.current_blocking_reason: the latest event that carries a state wins."""

    subject_type: ClassVar[str]

    def batch_load(self, keys: list[int]) -> Mapping[int, str]:
        from core.events.models import DomainEvent

        rows = (
            DomainEvent.objects.filter(subject_type=self.subject_type, subject_id__in=keys)
            .exclude(to_state="")
            .order_by("subject_id", "-occurred_at", "-pk")
            .distinct("subject_id")
            .values_list("subject_id", "blocking_reason")
        )
        reasons = dict(rows)
        return {key: reasons.get(key, "") for key in keys}


class ChildrenLoader(DataLoader[int, list]):
    """The child rows of many parents in one query: `model` rows whose `parent_field` (an attname such as
    "purchase_order_id") is the key. `related` lists (loader class, attname) pairs queued from the rows
    fetched, so the lines' items or units also load in one query each."""

    model: ClassVar[type[models.Model]]
    info: Any  # the request the loader serves: its related loaders live on the same one
    parent_field: ClassVar[str]
    ordering: ClassVar[tuple[str, ...]] = ("pk",)
    related: ClassVar[tuple[tuple[type[DataLoader], str], ...]] = ()  # type: ignore[type-arg]

    @classmethod
    def for_request(cls, info):  # type: ignore[no-untyped-def, override]
        loader = super().for_request(info)
        loader.info = info  # the related loaders live on the same request
        return loader

    def batch_load(self, keys: list[int]) -> Mapping[int, list]:  # type: ignore[type-arg]
        grouped: dict[int, list] = {key: [] for key in keys}  # type: ignore[type-arg]
        rows = list(self.model._default_manager.filter(**{f"{self.parent_field}__in": keys}).order_by(*self.ordering))
        for row in rows:
            grouped[getattr(row, self.parent_field)].append(row)
        for loader_class, attname in self.related:
            loader_class.for_request(self.info).queue(getattr(row, attname) for row in rows)
        return grouped
