"""GraphQL types of cycle counts: counts with their lines (book quantity, counted quantity, reason)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.counts.graphql.dataloaders import CycleCountBlockingLoader, CycleCountLinesLoader
from core.counts.models import CycleCount, CycleCountLine
from core.graphql.connections import CountedConnection
from core.graphql.documents import DocumentLineFields
from core.locations.graphql.types import LocationType


class CycleCountLineType(DocumentLineFields, DjangoObjectType):
    lot_id = graphene.ID()
    difference = graphene.Decimal(description="Counted − system; null until counted.")

    class Meta:
        model = CycleCountLine
        name = "CycleCountLine"
        fields = ("id", "system_quantity", "counted_quantity", "reason", "counted_at", "counted_by")
        convert_choices_to_enum = False
        interfaces = (graphene.relay.Node,)

    @staticmethod
    def resolve_difference(root: CycleCountLine, info: Any) -> Decimal | None:
        return root.difference


class CycleCountType(DjangoObjectType):
    location = graphene.Field(LocationType, required=True)
    location_id = graphene.ID(required=True)
    location_code = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(CycleCountLineType), required=True)
    blocking_reason = graphene.String(required=True)
    record_accuracy = graphene.Decimal(description="Share (0–1) of counted lines that matched the books; null if none counted.")

    class Meta:
        model = CycleCount
        name = "CycleCount"
        fields = ("id", "number", "state", "state_changed_at", "notes", "created_at", "created_by", "started_at", "completed_at")
        convert_choices_to_enum = False
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @classmethod
    def prepare_page(cls, nodes: list[CycleCount], info: Any) -> None:
        keys = [node.pk for node in nodes]
        CycleCountLinesLoader.for_request(info).queue(keys)
        CycleCountBlockingLoader.for_request(info).queue(keys)

    @classmethod
    def get_queryset(cls, queryset: Any, info: Any) -> Any:
        return queryset.select_related("location")

    @staticmethod
    def resolve_location(root: Any, info: Any) -> Any:
        return root.location  # joined by get_queryset

    @staticmethod
    def resolve_location_id(root: CycleCount, info: Any) -> int:
        return root.location_id

    @staticmethod
    def resolve_location_code(root: CycleCount, info: Any) -> str:
        return root.location.code

    @staticmethod
    def resolve_lines(root: CycleCount, info: Any) -> list[CycleCountLine]:
        return CycleCountLinesLoader.for_request(info).load(root.pk) or []

    @staticmethod
    def resolve_blocking_reason(root: CycleCount, info: Any) -> str:
        return CycleCountBlockingLoader.for_request(info).load(root.pk) or ""

    @staticmethod
    def resolve_record_accuracy(root: CycleCount, info: Any) -> Decimal | None:
        lines = CycleCountLinesLoader.for_request(info).load(root.pk) or []
        counted = [line for line in lines if line.counted_quantity is not None and line.system_quantity is not None]
        if not counted:
            return None
        matched = sum(1 for line in counted if line.counted_quantity == line.system_quantity)
        return (Decimal(matched) / Decimal(len(counted))).quantize(Decimal("0.0001"))
