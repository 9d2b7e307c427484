"""GraphQL types of discrete manufacturing: ECOs, their impact report, work orders, MRP messages, lead times."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from verticals.discrete_mfg.impact import EcoImpact
from verticals.discrete_mfg.models import EngineeringChange, LeadTimePrediction, MrpMessage, WorkOrder


class EngineeringChangeType(DjangoObjectType):
    """An engineering change order (ECO): a draft BOM version going through review to release."""

    database_id = graphene.Int(required=True)
    item_sku = graphene.String(required=True)
    new_version = graphene.Int(required=True)
    base_version = graphene.Int()

    class Meta:
        model = EngineeringChange
        name = "EngineeringChange"
        fields = ("id", "number", "title", "reason", "state", "effective_from", "created_at", "created_by")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: EngineeringChange, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_item_sku(root: EngineeringChange, info: Any) -> str:
        return root.new_version.item.sku

    @staticmethod
    def resolve_new_version(root: EngineeringChange, info: Any) -> int:
        return root.new_version.version

    @staticmethod
    def resolve_base_version(root: EngineeringChange, info: Any) -> int | None:
        return root.base_version.version if root.base_version else None


class LineChangeType(graphene.ObjectType):
    sku = graphene.String(required=True)
    change = graphene.String(required=True, description="added, removed or changed")
    before_quantity = graphene.Decimal()
    after_quantity = graphene.Decimal()


class ParentReachedType(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Int(required=True, description="1 = uses the changed assembly directly")
    cost_before = graphene.Decimal(required=True)
    cost_after = graphene.Decimal(required=True)


class ImpactWorkOrderType(graphene.ObjectType):
    number = graphene.String(required=True)
    state = graphene.String(required=True)
    open_quantity = graphene.Decimal(required=True)
    issued_skus = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_issued_skus(root: Any, info: Any) -> list[str]:
        return [row["sku"] for row in root.issued]


class ImpactPurchaseType(graphene.ObjectType):
    number = graphene.String(required=True)
    sku = graphene.String(required=True)
    open_quantity = graphene.Decimal(required=True)
    value = graphene.Decimal(required=True)
    still_used_elsewhere = graphene.Boolean(required=True)


class IdleStockType(graphene.ObjectType):
    sku = graphene.String(required=True)
    on_hand = graphene.Decimal(required=True)
    value = graphene.Decimal(required=True)
    still_used_elsewhere = graphene.Boolean(required=True)


class MovedPromiseType(graphene.ObjectType):
    number = graphene.String(required=True)
    sku = graphene.String(required=True)
    promised_on = graphene.Date()
    new_promise = graphene.Date()
    days = graphene.Int(required=True)


class EcoImpactType(graphene.ObjectType):
    """BOM变更影响: everything a draft ECO touches, before it is released."""

    changes = graphene.List(graphene.NonNull(LineChangeType), required=True)
    parents = graphene.List(graphene.NonNull(ParentReachedType), required=True)
    work_orders = graphene.List(graphene.NonNull(ImpactWorkOrderType), required=True)
    purchase_orders = graphene.List(graphene.NonNull(ImpactPurchaseType), required=True)
    idle_stock = graphene.List(graphene.NonNull(IdleStockType), required=True)
    idle_value = graphene.Decimal(required=True)
    sales_orders = graphene.List(graphene.NonNull(MovedPromiseType), required=True)
    cost_before = graphene.Decimal(required=True)
    cost_after = graphene.Decimal(required=True)
    lead_time_before = graphene.Int(required=True)
    lead_time_after = graphene.Int(required=True)

    @staticmethod
    def resolve_idle_value(root: EcoImpact, info: Any) -> Any:
        return root.idle_value


class WorkOrderType(DjangoObjectType):
    """A work order (生产工单) with the reason it waits, in words."""

    database_id = graphene.Int(required=True)
    item_sku = graphene.String(required=True)
    blocking_reason = graphene.String(required=True, description='e.g. "waiting for 3 of 12 components"')

    class Meta:
        model = WorkOrder
        name = "WorkOrder"
        fields = ("id", "number", "state", "quantity", "completed_quantity", "scrapped_quantity", "due_date", "issue_method")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: WorkOrder, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_item_sku(root: WorkOrder, info: Any) -> str:
        return root.item.sku

    @staticmethod
    def resolve_blocking_reason(root: WorkOrder, info: Any) -> str:
        from verticals.discrete_mfg.work_orders import blocking_text

        return blocking_text(root)


class MrpMessageType(DjangoObjectType):
    item_sku = graphene.String(required=True)

    class Meta:
        model = MrpMessage
        name = "MrpMessage"
        fields = ("id", "kind", "document_type", "document_id", "current_date", "suggested_date", "quantity", "note")

    @staticmethod
    def resolve_item_sku(root: MrpMessage, info: Any) -> str:
        return root.item.sku


class LeadTimePredictionType(DjangoObjectType):
    item_sku = graphene.String(required=True)
    explanation = graphene.JSONString(required=True, description="Days each input group adds to the P50.")

    class Meta:
        model = LeadTimePrediction
        name = "LeadTimePrediction"
        fields = ("p10", "p50", "p90", "model_version", "predicted_at")

    @staticmethod
    def resolve_item_sku(root: LeadTimePrediction, info: Any) -> str:
        return root.item.sku


class BomTreeRowType(graphene.ObjectType):
    """A line of the released structure below an item (depth 1 = direct component of the root)."""

    depth = graphene.Int(required=True)
    database_id = graphene.Int(required=True)
    parent_database_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    per_unit = graphene.Decimal(description="Base units of the component per base unit of its parent.")
    phantom = graphene.Boolean(required=True)


class WhereUsedType(graphene.ObjectType):
    """An assembly above the item; `level` is the nearest level it is found at (1 = direct parent)."""

    database_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Int(required=True)


class BomStructureType(graphene.ObjectType):
    """An item's released BOM tree, every assembly that uses it, and its rolled-up cost, as of today."""

    database_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    tree = graphene.List(graphene.NonNull(BomTreeRowType), required=True)
    where_used = graphene.List(graphene.NonNull(WhereUsedType), required=True)
    rolled_up_cost = graphene.Decimal()


class PlannedOrderType(graphene.ObjectType):
    """A supply MRP proposes; `released_document_type`/`released_document_id` once the planner released it."""

    database_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    kind = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)
    release_on = graphene.Date(required=True)
    due_on = graphene.Date(required=True)
    firmed = graphene.Boolean(required=True)
    flagged = graphene.Boolean(required=True)
    released_document_type = graphene.String(required=True)
    released_document_id = graphene.Int()
