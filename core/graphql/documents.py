"""Shared GraphQL bases for the document family (purchase order, sales order, transfer, cycle count).

- `DocumentLineFields` / `DocumentLineResolvers`: the item a line is for (item, itemId, sku, itemName, lotId).
- `DocumentAction`: a mutation that runs one service action on one document (`id`, optionally `reason`) and
  returns the document; a subclass names its service and keeps only what differs (permissions, extra output).

Each document type keeps its own field order in the schema: a mixin's fields print before the type's own, so a
line type whose item fields are not first (the purchase order line puts `unit` second) takes the resolvers only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import graphene
from django.db import models

from core.access import actor_from_request
from core.catalog.graphql.dataloaders import ItemLoader
from core.catalog.graphql.types import ItemType
from core.catalog.models import Item
from core.graphql.base import BaseMutation
from core.graphql.lookups import object_by_id


def _line_item(line: Any, info: Any) -> Item:
    item = ItemLoader.for_request(info).load(line.item_id)
    if not isinstance(item, Item):  # item is a protected foreign key: the row exists
        raise LookupError(f"Item {line.item_id} of a document line is missing.")
    return item


class DocumentLineResolvers:
    """Resolvers of the item fields of a document line, batched per request through the item loader."""

    @staticmethod
    def resolve_item(root: Any, info: Any) -> Any:
        return ItemLoader.for_request(info).load(root.item_id)

    @staticmethod
    def resolve_item_id(root: Any, info: Any) -> int:
        return root.item_id

    @staticmethod
    def resolve_sku(root: Any, info: Any) -> str:
        return _line_item(root, info).sku

    @staticmethod
    def resolve_item_name(root: Any, info: Any) -> str:
        return _line_item(root, info).name_zh

    @staticmethod
    def resolve_lot_id(root: Any, info: Any) -> int | None:
        return root.lot_id


class DocumentLineFields(DocumentLineResolvers):
    """Mix into a line's DjangoObjectType: `item`, `itemId` and `sku` (printed right after the model fields)."""

    item = graphene.Field(ItemType, required=True)
    item_id = graphene.ID(required=True)
    sku = graphene.String(required=True)


class DocumentArguments:
    id = graphene.ID(required=True)


class DocumentReasonArguments(DocumentArguments):
    reason = graphene.String()


class DocumentAction(BaseMutation):
    """One service action on one document, e.g. `approvePurchaseOrder(id)`, `cancelTransfer(id, reason)`.

    A family base sets `document_type` (its DjangoObjectType) and `document_field` (the output field it declares);
    an action sets `service`, a function `(document, *, actor[, reason]) -> document`, and its Meta (permissions).
    Set `Arguments = DocumentReasonArguments` when the service takes a reason.
    """

    document_type: ClassVar[Any]
    document_field: ClassVar[str]
    service: ClassVar[Callable[..., models.Model]]

    Arguments = DocumentArguments

    class Meta:
        abstract = True

    @classmethod
    def document(cls, value: Any) -> Any:
        """The document the `id` names, or a typed NOT_FOUND error on `id`."""
        return object_by_id(cls.document_type._meta.model, value, "id", cls.document_type._meta.name)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DocumentAction:
        extra = {"reason": data.get("reason") or ""} if "reason" in cls._meta.arguments else {}
        result = cls.service(cls.document(data["id"]), actor=actor_from_request(info.context), **extra)
        return cls(**{cls.document_field: result, "errors": []})
