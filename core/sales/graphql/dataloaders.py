"""Per-request loaders for the sales API: lines per order, their items, backorders, blocking reasons."""

from __future__ import annotations

from collections.abc import Mapping

from core.catalog.graphql.dataloaders import ItemLoader
from core.graphql.connections import DataLoader
from core.graphql.document_loaders import BlockingReasonLoader, ChildrenLoader
from core.sales.models import Backorder, SalesOrder, SalesOrderLine


class BackorderByLineLoader(DataLoader[int, Backorder]):
    def batch_load(self, keys: list[int]) -> Mapping[int, Backorder]:
        return {row.line_id: row for row in Backorder.objects.filter(line_id__in=keys)}


class SalesOrderLinesLoader(ChildrenLoader):
    model = SalesOrderLine
    parent_field = "sales_order_id"
    related = ((ItemLoader, "item_id"), (BackorderByLineLoader, "pk"))


class SalesOrderBlockingLoader(BlockingReasonLoader):
    subject_type = SalesOrder.SUBJECT_TYPE
