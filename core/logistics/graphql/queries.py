"""Logistics queries: transfers as a filtered, ordered Relay connection, and one transfer by id."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from core.logistics import selectors
from core.logistics.graphql.types import TransferType
from core.logistics.models import TransferOrder

TransferOrderBy = graphene.Enum(
    "TransferOrderBy",
    [(key.lstrip("-").upper() + ("_DESC" if key.startswith("-") else "_ASC"), key) for key in selectors.ORDERINGS],
)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    pk = pk_from_id(value)
    return pk if pk is not None else -1


class LogisticsQueries(graphene.ObjectType):
    transfers = DjangoConnectionField(
        TransferType,
        states=graphene.List(graphene.NonNull(graphene.String)),
        location_id=graphene.ID(description="Either end of the transfer."),
        from_location_id=graphene.ID(),
        to_location_id=graphene.ID(),
        created_from=graphene.DateTime(),
        created_to=graphene.DateTime(description="Exclusive."),
        order_by=TransferOrderBy(description="CREATED_DESC when omitted."),
        description="Transfers (调拨单), newest first by default.",
    )
    transfer = graphene.Field(TransferType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_transfers(root: Any, info: Any, **args: Any) -> QuerySet[TransferOrder]:
        return selectors.transfers(
            states=args.get("states"),
            location_id=_int(args.get("location_id")),
            from_location_id=_int(args.get("from_location_id")),
            to_location_id=_int(args.get("to_location_id")),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
            ordering=getattr(args.get("order_by"), "value", None) or "-created",
        )

    @staticmethod
    def resolve_transfer(root: Any, info: Any, id: str) -> TransferOrder | None:
        pk = pk_from_id(id, TransferType._meta.name)
        return TransferOrder.objects.select_related("from_location", "to_location").filter(pk=pk).first() if pk else None
