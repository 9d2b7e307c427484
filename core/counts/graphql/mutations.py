"""Counts mutations (clerks): create a count, start it, record what was counted, complete it."""

from __future__ import annotations

from typing import Any

import graphene

from core.access import actor_from_request
from core.counts import services
from core.counts.graphql.types import CycleCountLineType, CycleCountType
from core.counts.models import CycleCountLine
from core.graphql.base import BaseMutation
from core.graphql.documents import DocumentAction
from core.graphql.lookups import object_by_id, pk_from_id
from core.locations.models import Location


class CycleCountMutation(DocumentAction):
    """Base for the single-count actions: returns the count after the action."""

    cycle_count = graphene.Field(CycleCountType)
    document_type = CycleCountType
    document_field = "cycle_count"

    class Meta:
        abstract = True


class CreateCycleCount(CycleCountMutation):
    """A draft count of a location: every item × lot held there, or only the items listed."""

    class Arguments:
        location_id = graphene.ID(required=True)
        item_ids = graphene.List(graphene.NonNull(graphene.ID))
        notes = graphene.String()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateCycleCount:
        item_ids = data.get("item_ids")
        count = services.create_cycle_count(
            location=object_by_id(Location, data["location_id"], "locationId", "Location"),
            actor=actor_from_request(info.context),
            item_ids=[pk_from_id(value, "Item") or -1 for value in item_ids] if item_ids else None,
            notes=data.get("notes") or "",
        )
        return cls(cycle_count=count, errors=[])


class StartCycleCount(CycleCountMutation):
    """Start counting: the book quantities are frozen on the count sheet."""

    service = services.start_counting


class RecordCount(BaseMutation):
    line = graphene.Field(CycleCountLineType)

    class Arguments:
        line_id = graphene.ID(required=True)
        counted_quantity = graphene.Decimal(required=True)
        reason = graphene.String(description="damage, expiry, loss or found.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RecordCount:
        line = services.record_count(
            object_by_id(CycleCountLine, data["line_id"], "lineId", CycleCountLineType._meta.name),
            data["counted_quantity"],
            actor=actor_from_request(info.context),
            reason=data.get("reason") or "",
        )
        return cls(line=line, errors=[])


class CompleteCycleCount(CycleCountMutation):
    """Post the differences (shortages to inventory_loss, finds from it) and close the count."""

    service = services.complete_cycle_count


class CountsMutations(graphene.ObjectType):
    create_cycle_count = CreateCycleCount.Field()
    start_cycle_count = StartCycleCount.Field()
    record_count = RecordCount.Field()
    complete_cycle_count = CompleteCycleCount.Field()
