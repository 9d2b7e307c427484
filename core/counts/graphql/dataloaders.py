"""Per-request loaders for the counts API: lines per count and their items, blocking reasons."""

from __future__ import annotations

from core.catalog.graphql.dataloaders import ItemLoader
from core.counts.models import CycleCount, CycleCountLine
from core.graphql.document_loaders import BlockingReasonLoader, ChildrenLoader


class CycleCountLinesLoader(ChildrenLoader):
    model = CycleCountLine
    parent_field = "cycle_count_id"
    related = ((ItemLoader, "item_id"),)


class CycleCountBlockingLoader(BlockingReasonLoader):
    subject_type = CycleCount.SUBJECT_TYPE
