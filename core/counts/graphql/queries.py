"""Counts queries: cycle counts as a filtered, ordered Relay connection, and record accuracy over a period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.counts import selectors
from core.counts.graphql.types import CycleCountType
from core.counts.models import CycleCount
from core.graphql.lookups import pk_from_id

CycleCountOrderBy = graphene.Enum(
    "CycleCountOrderBy",
    [(key.lstrip("-").upper() + ("_DESC" if key.startswith("-") else "_ASC"), key) for key in selectors.ORDERINGS],
)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    pk = pk_from_id(value)
    return pk if pk is not None else -1


class CountsQueries(graphene.ObjectType):
    cycle_counts = DjangoConnectionField(
        CycleCountType,
        states=graphene.List(graphene.NonNull(graphene.String)),
        location_id=graphene.ID(),
        created_from=graphene.DateTime(),
        created_to=graphene.DateTime(description="Exclusive."),
        order_by=CycleCountOrderBy(description="CREATED_DESC when omitted."),
        description="Cycle counts (盘点单), newest first by default.",
    )
    cycle_count = graphene.Field(CycleCountType, id=graphene.ID(required=True))
    inventory_record_accuracy = graphene.Decimal(
        start=graphene.DateTime(),
        end=graphene.DateTime(description="Exclusive."),
        location_id=graphene.ID(),
        description="IRA: share (0–1) of lines counted in the period whose book quantity matched; null if none.",
    )

    @staticmethod
    def resolve_cycle_counts(root: Any, info: Any, **args: Any) -> QuerySet[CycleCount]:
        return selectors.cycle_counts(
            states=args.get("states"),
            location_id=_int(args.get("location_id")),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
            ordering=getattr(args.get("order_by"), "value", None) or "-created",
        )

    @staticmethod
    def resolve_cycle_count(root: Any, info: Any, id: str) -> CycleCount | None:
        pk = pk_from_id(id, CycleCountType._meta.name)
        return CycleCount.objects.select_related("location").filter(pk=pk).first() if pk else None

    @staticmethod
    def resolve_inventory_record_accuracy(root: Any, info: Any, **args: Any) -> Decimal | None:
        return selectors.inventory_record_accuracy(
            start=args.get("start"), end=args.get("end"), location_id=_int(args.get("location_id"))
        )
