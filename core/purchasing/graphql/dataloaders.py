"""Per-request loaders for the purchasing API: lines per order, their items and units, blocking reasons."""

from __future__ import annotations

from core.catalog.graphql.dataloaders import ItemLoader, UnitLoader
from core.graphql.document_loaders import BlockingReasonLoader, ChildrenLoader
from core.purchasing.models import PurchaseOrder, PurchaseOrderLine


class PurchaseOrderLinesLoader(ChildrenLoader):
    model = PurchaseOrderLine
    parent_field = "purchase_order_id"
    related = ((ItemLoader, "item_id"), (UnitLoader, "unit_id"))


class PurchaseOrderBlockingLoader(BlockingReasonLoader):
    subject_type = PurchaseOrder.SUBJECT_TYPE
