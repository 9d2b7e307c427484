"""Per-request loaders for the logistics API: lines per transfer, their items and discrepancies, blocking reasons."""

from __future__ import annotations

from collections.abc import Mapping

from core.catalog.graphql.dataloaders import ItemLoader
from core.graphql.connections import DataLoader
from core.graphql.document_loaders import BlockingReasonLoader, ChildrenLoader
from core.logistics.models import TransferDiscrepancy, TransferLine, TransferOrder


class DiscrepancyByLineLoader(DataLoader[int, TransferDiscrepancy]):
    def batch_load(self, keys: list[int]) -> Mapping[int, TransferDiscrepancy]:
        return {row.line_id: row for row in TransferDiscrepancy.objects.filter(line_id__in=keys)}


class TransferLinesLoader(ChildrenLoader):
    model = TransferLine
    parent_field = "transfer_id"
    related = ((ItemLoader, "item_id"), (DiscrepancyByLineLoader, "pk"))


class TransferBlockingLoader(BlockingReasonLoader):
    subject_type = TransferOrder.SUBJECT_TYPE
