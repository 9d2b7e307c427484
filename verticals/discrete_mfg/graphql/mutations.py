"""Discrete manufacturing mutations: ECO review and release, MRP, the line side's issue and completion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from django.utils.translation import gettext as _

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.lookups import require_pk
from tenants.accounts.roles import Permission
from verticals.discrete_mfg import boms, mrp, planned_orders, work_orders
from verticals.discrete_mfg.exceptions import MfgNotFound
from verticals.discrete_mfg.graphql.queries import planned_order_node
from verticals.discrete_mfg.graphql.types import EngineeringChangeType, PlannedOrderType, WorkOrderType
from verticals.discrete_mfg.models import EngineeringChange, WorkOrder

MODULE = "discrete_mfg"


def _eco(id: str) -> EngineeringChange:
    eco = EngineeringChange.objects.filter(pk=require_pk(id, "id", "EngineeringChange", MfgNotFound)).first()
    if eco is None:
        raise MfgNotFound(_("No such engineering change."))
    return eco


def _work_order(id: str) -> WorkOrder:
    order = WorkOrder.objects.filter(pk=require_pk(id, "id", "WorkOrder", MfgNotFound)).first()
    if order is None:
        raise MfgNotFound(_("No such work order."))
    return order


class SubmitEngineeringChange(BaseMutation):
    """Send a draft ECO to review (the rule pack may ask for an approval first)."""

    engineering_change = graphene.Field(EngineeringChangeType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> SubmitEngineeringChange:
        return cls(engineering_change=boms.submit_eco(_eco(data["id"]), actor=actor_from_request(info.context)), errors=[])


class ReleaseEngineeringChange(BaseMutation):
    """Release a reviewed ECO: its version becomes the released one (refused over a locked or newer version)."""

    engineering_change = graphene.Field(EngineeringChangeType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReleaseEngineeringChange:
        return cls(engineering_change=boms.release_eco(_eco(data["id"]), actor=actor_from_request(info.context)), errors=[])


class RunMrp(BaseMutation):
    """Plan a location for today (idempotent: a second run the same day returns the first)."""

    run_id = graphene.Int()
    created = graphene.Boolean()
    planned_orders = graphene.Int()

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        location_id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RunMrp:
        location = require_pk(data["location_id"], "locationId", "Location", MfgNotFound)
        result = mrp.run_mrp(location, actor=actor_from_request(info.context))
        return cls(run_id=result.run.pk, created=result.created, planned_orders=result.run.planned_order_count, errors=[])


class IssueWorkOrderPickList(BaseMutation):
    """Issue everything still missing on the work order's pick list (one tap at the line side)."""

    work_order = graphene.Field(WorkOrderType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = MODULE

    class Arguments:
        id = graphene.ID(required=True)
        reference = graphene.String(required=True, description="The tap's idempotency key.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> IssueWorkOrderPickList:
        order = _work_order(data["id"])
        work_orders.issue_pick_list(order, reference=data["reference"], actor=actor_from_request(info.context))
        return cls(work_order=order, errors=[])


class CompleteWorkOrder(BaseMutation):
    """Report good and scrapped units; backflushes, receives the goods and by-products through the ledger."""

    work_order = graphene.Field(WorkOrderType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = MODULE

    class Arguments:
        id = graphene.ID(required=True)
        quantity = graphene.Decimal(required=True)
        scrap_quantity = graphene.Decimal(default_value=Decimal("0"))
        scrap_reason = graphene.String(default_value="")
        reference = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CompleteWorkOrder:
        order = _work_order(data["id"])
        work_orders.complete_work_order(
            order,
            quantity=data["quantity"],
            scrap_quantity=data["scrap_quantity"],
            scrap_reason=data["scrap_reason"],
            reference=data["reference"],
            actor=actor_from_request(info.context),
        )
        order.refresh_from_db()
        return cls(work_order=order, errors=[])


class FirmPlannedOrder(BaseMutation):
    """Firm a planned order of the latest run: later runs keep it as scheduled supply."""

    planned_order = graphene.Field(PlannedOrderType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        planned_order_id = graphene.Int(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> FirmPlannedOrder:
        order = planned_orders.firm_planned_order(data["planned_order_id"], actor=actor_from_request(info.context))
        return cls(planned_order=planned_order_node(order), errors=[])


class ReleasePlannedOrder(BaseMutation):
    """Release a planned order into a draft purchase order or work order (once: again returns the same one)."""

    planned_order = graphene.Field(PlannedOrderType)
    document_type = graphene.String()
    document_id = graphene.Int()
    number = graphene.String()

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        planned_order_id = graphene.Int(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReleasePlannedOrder:
        released = planned_orders.release_planned_order(data["planned_order_id"], actor=actor_from_request(info.context))
        return cls(
            planned_order=planned_order_node(released.planned_order),
            document_type=released.document_type,
            document_id=released.document_id,
            number=released.number,
            errors=[],
        )


class DiscreteMfgMutations(graphene.ObjectType):
    submit_engineering_change = SubmitEngineeringChange.Field()
    release_engineering_change = ReleaseEngineeringChange.Field()
    run_mrp = RunMrp.Field()
    issue_work_order_pick_list = IssueWorkOrderPickList.Field()
    complete_work_order = CompleteWorkOrder.Field()
    firm_planned_order = FirmPlannedOrder.Field()
    release_planned_order = ReleasePlannedOrder.Field()
