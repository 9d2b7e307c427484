"""Sales queries: sales orders as a filtered, ordered Relay connection, and one order by id."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from core.sales import selectors
from core.sales.graphql.types import SalesOrderType
from core.sales.models import SalesOrder

SalesOrderOrderBy = graphene.Enum(
    "SalesOrderOrderBy",
    [(key.lstrip("-").upper() + ("_DESC" if key.startswith("-") else "_ASC"), key) for key in selectors.ORDERINGS],
)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    pk = pk_from_id(value)
    return pk if pk is not None else -1


class SalesQueries(graphene.ObjectType):
    sales_orders = DjangoConnectionField(
        SalesOrderType,
        states=graphene.List(graphene.NonNull(graphene.String)),
        customer_id=graphene.ID(),
        source_id=graphene.ID(),
        created_from=graphene.DateTime(),
        created_to=graphene.DateTime(description="Exclusive."),
        order_by=SalesOrderOrderBy(description="CREATED_DESC when omitted."),
        description="Sales orders (销售订单), newest first by default.",
    )
    sales_order = graphene.Field(SalesOrderType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_sales_orders(root: Any, info: Any, **args: Any) -> QuerySet[SalesOrder]:
        return selectors.sales_orders(
            states=args.get("states"),
            customer_id=_int(args.get("customer_id")),
            source_id=_int(args.get("source_id")),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
            ordering=getattr(args.get("order_by"), "value", None) or "-created",
        )

    @staticmethod
    def resolve_sales_order(root: Any, info: Any, id: str) -> SalesOrder | None:
        pk = pk_from_id(id, SalesOrderType._meta.name)
        return SalesOrder.objects.select_related("customer", "source").filter(pk=pk).first() if pk else None
