"""Purchasing queries: purchase orders as a filtered, ordered Relay connection, and one order by id."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from core.purchasing import selectors
from core.purchasing.graphql.types import PurchaseOrderType
from core.purchasing.models import PurchaseOrder

PurchaseOrderOrderBy = graphene.Enum(
    "PurchaseOrderOrderBy",
    [(key.lstrip("-").upper() + ("_DESC" if key.startswith("-") else "_ASC"), key) for key in selectors.ORDERINGS],
)


class PurchasingQueries(graphene.ObjectType):
    purchase_orders = DjangoConnectionField(
        PurchaseOrderType,
        states=graphene.List(graphene.NonNull(graphene.String), description='e.g. ["submitted", "sent"]'),
        supplier_id=graphene.ID(),
        destination_id=graphene.ID(),
        created_from=graphene.DateTime(),
        created_to=graphene.DateTime(description="Exclusive."),
        urgent=graphene.Boolean(),
        order_by=PurchaseOrderOrderBy(description="CREATED_DESC when omitted."),
        description="Purchase orders (采购订单), newest first by default.",
    )
    purchase_order = graphene.Field(PurchaseOrderType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_purchase_orders(root: Any, info: Any, **args: Any) -> QuerySet[PurchaseOrder]:
        return selectors.purchase_orders(
            states=args.get("states"),
            supplier_id=_int(args.get("supplier_id")),
            destination_id=_int(args.get("destination_id")),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
            urgent=args.get("urgent"),
            ordering=getattr(args.get("order_by"), "value", None) or "-created",
        )

    @staticmethod
    def resolve_purchase_order(root: Any, info: Any, id: str) -> PurchaseOrder | None:
        pk = pk_from_id(id, PurchaseOrderType._meta.name)
        return PurchaseOrder.objects.select_related("supplier", "destination").filter(pk=pk).first() if pk else None


def _int(value: Any) -> int | None:
    """A filter id (global or plain); one that is not an id matches nothing."""
    if value is None:
        return None
    pk = pk_from_id(value)
    return pk if pk is not None else -1
