"""Planning mutations (managers only): run replenishment, approve proposals into draft orders."""

from __future__ import annotations

import uuid
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.lookups import pk_from_id
from core.planning import services
from core.planning.exceptions import UnknownProposal
from core.planning.graphql.types import ReplenishmentProposalType, ReplenishmentRunType
from core.planning.models import ReplenishmentProposal
from tenants.accounts.roles import Permission


class RunReplenishment(BaseMutation):
    run = graphene.Field(ReplenishmentRunType)
    proposals = graphene.List(graphene.NonNull(ReplenishmentProposalType))

    class Arguments:
        location_ids = graphene.List(graphene.NonNull(graphene.ID), description="Omit for every location.")
        run_key = graphene.String(description="Repeat a key to make a retry a no-op; a fresh key when omitted.")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RunReplenishment:
        location_ids = data.get("location_ids")
        run = services.run_replenishment(
            [pk_from_id(value) or -1 for value in location_ids] if location_ids is not None else None,
            run_key=data.get("run_key") or f"api:{uuid.uuid4().hex}",
            actor=actor_from_request(info.context),
        )
        return cls(run=run, proposals=list(ReplenishmentProposal.objects.filter(run=run).order_by("pk")))


class ApproveProposals(BaseMutation):
    proposals = graphene.List(graphene.NonNull(ReplenishmentProposalType))

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ApproveProposals:
        ids = []
        for value in data["ids"]:
            pk = pk_from_id(value, ReplenishmentProposalType._meta.name)
            if pk is None:
                raise UnknownProposal(f"Not a proposal id: {value}.")
            ids.append(pk)
        proposals = services.approve_proposals(ids, actor=actor_from_request(info.context))
        return cls(proposals=proposals)


class PlanningMutations(graphene.ObjectType):
    run_replenishment = RunReplenishment.Field()
    approve_proposals = ApproveProposals.Field()
