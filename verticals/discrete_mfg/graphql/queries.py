"""Discrete manufacturing queries (guarded by the module: core.graphql.schema reads the registering module)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone
from graphene_django import DjangoConnectionField

from core.catalog.models import Item
from core.graphql.lookups import pk_from_id
from verticals.discrete_mfg import selectors, structure
from verticals.discrete_mfg.graphql.types import (
    BomStructureType,
    BomTreeRowType,
    EcoImpactType,
    EngineeringChangeType,
    LeadTimePredictionType,
    MrpMessageType,
    PlannedOrderType,
    WhereUsedType,
    WorkOrderType,
)
from verticals.discrete_mfg.impact import EcoImpact, eco_impact
from verticals.discrete_mfg.models import EngineeringChange, LeadTimePrediction, MrpMessage, MrpRun, PlannedOrder, WorkOrder

PLANNED_ORDER_PAGE = 500


class DiscreteMfgQueries(graphene.ObjectType):
    engineering_changes = DjangoConnectionField(EngineeringChangeType, state=graphene.String())
    eco_impact = graphene.Field(EcoImpactType, id=graphene.ID(required=True, description="The ECO's global id."))
    work_orders = DjangoConnectionField(WorkOrderType, state=graphene.String())
    mrp_messages = graphene.List(graphene.NonNull(MrpMessageType), required=True, kind=graphene.String())
    lead_time_predictions = graphene.List(graphene.NonNull(LeadTimePredictionType), required=True)
    bom_structure = graphene.Field(
        BomStructureType, item_id=graphene.ID(required=True, description="The item's global id or database id.")
    )
    planned_orders = graphene.List(
        graphene.NonNull(PlannedOrderType),
        required=True,
        kind=graphene.String(),
        description=f"The latest MRP run's planned orders by release date (the first {PLANNED_ORDER_PAGE}).",
    )

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

    @staticmethod
    def resolve_bom_structure(root: Any, info: Any, item_id: str) -> BomStructureType | None:
        pk = pk_from_id(item_id, "Item")
        item = Item.objects.filter(pk=pk).first() if pk is not None else None
        if item is None:
            return None
        today = timezone.localdate()
        tree = [
            BomTreeRowType(
                depth=row.depth,
                database_id=row.item.pk,
                parent_database_id=row.parent_id,
                sku=row.item.sku,
                name=row.item.name_zh,
                per_unit=row.per_unit,
                phantom=row.phantom,
            )
            for row in selectors.bom_tree(item.pk, on=today)
        ]
        used = [
            WhereUsedType(database_id=u.item.pk, sku=u.item.sku, name=u.item.name_zh, level=u.level)
            for u in selectors.where_used(item.pk, on=today)
        ]
        cost = structure.rolled_up_costs([item.pk], on=today).get(item.pk)
        return BomStructureType(
            database_id=item.pk, sku=item.sku, name=item.name_zh, tree=tree, where_used=used, rolled_up_cost=cost
        )

    @staticmethod
    def resolve_planned_orders(root: Any, info: Any, kind: str | None = None) -> list[PlannedOrderType]:
        latest = MrpRun.objects.order_by("-started_at", "-pk").first()
        orders = PlannedOrder.objects.filter(run=latest).select_related("item").order_by("release_on", "item__sku")
        if kind:
            orders = orders.filter(kind=kind)
        return [planned_order_node(order) for order in orders[:PLANNED_ORDER_PAGE]] if latest else []


def planned_order_node(order: PlannedOrder) -> PlannedOrderType:
    return PlannedOrderType(
        database_id=order.pk,
        sku=order.item.sku,
        kind=order.kind,
        quantity=order.quantity,
        release_on=order.release_on,
        due_on=order.due_on,
        firmed=order.firmed,
        flagged=order.flagged,
        released_document_type=order.released_document_type,
        released_document_id=order.released_document_id,
    )
