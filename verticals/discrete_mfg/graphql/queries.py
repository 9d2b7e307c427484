"""Discrete manufacturing queries (guarded by the module: core.graphql.schema reads the registering module)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django import DjangoConnectionField

from core.graphql.lookups import pk_from_id
from verticals.discrete_mfg import selectors
from verticals.discrete_mfg.graphql.types import (
    EcoImpactType,
    EngineeringChangeType,
    LeadTimePredictionType,
    MrpMessageType,
    WorkOrderType,
)
from verticals.discrete_mfg.impact import EcoImpact, eco_impact
from verticals.discrete_mfg.models import EngineeringChange, LeadTimePrediction, MrpMessage, MrpRun, WorkOrder


class DiscreteMfgQueries(graphene.ObjectType):
    engineering_changes = DjangoConnectionField(EngineeringChangeType, state=graphene.String())
    eco_impact = graphene.Field(EcoImpactType, id=graphene.ID(required=True, description="The ECO's global id."))
    work_orders = DjangoConnectionField(WorkOrderType, state=graphene.String())
    mrp_messages = graphene.List(graphene.NonNull(MrpMessageType), required=True, kind=graphene.String())
    lead_time_predictions = graphene.List(graphene.NonNull(LeadTimePredictionType), required=True)

    @staticmethod
    def resolve_engineering_changes(root: Any, info: Any, state: str | None = None) -> QuerySet[EngineeringChange]:
        return selectors.engineering_changes(states=[state] if state else None)

    @staticmethod
    def resolve_eco_impact(root: Any, info: Any, id: str) -> EcoImpact | None:
        pk = pk_from_id(id, "EngineeringChange")
        eco = selectors.engineering_changes().filter(pk=pk).first() if pk is not None else None
        return eco_impact(eco) if eco is not None else None

    @staticmethod
    def resolve_work_orders(root: Any, info: Any, state: str | None = None) -> QuerySet[WorkOrder]:
        return selectors.work_orders(states=[state] if state else None)

    @staticmethod
    def resolve_mrp_messages(root: Any, info: Any, kind: str | None = None) -> QuerySet[MrpMessage]:
        latest = MrpRun.objects.order_by("-started_at", "-pk").first()
        messages = MrpMessage.objects.filter(run=latest).select_related("item") if latest else MrpMessage.objects.none()
        return messages.filter(kind=kind) if kind else messages

    @staticmethod
    def resolve_lead_time_predictions(root: Any, info: Any) -> QuerySet[LeadTimePrediction]:
        return LeadTimePrediction.objects.select_related("item").order_by("item__sku")
