"""Deviation GraphQL: the open investigations and the owner's decision."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext as _

from core.access import actor_from_request, actor_label
from core.graphql.base import BaseMutation
from core.graphql.lookups import NotFound, require_pk
from tenants.accounts.roles import Permission
from verticals.food import deviations
from verticals.food.models import Deviation, DeviationState


class DeviationDecisionEnum(graphene.Enum):
    class Meta:
        name = "DeviationDecision"

    RELEASED = DeviationState.RELEASED.value
    REWORKED = DeviationState.REWORKED.value
    DESTROYED = DeviationState.DESTROYED.value


class DeviationLotType(graphene.ObjectType):
    class Meta:
        name = "DeviationLot"

    lot_code = graphene.String(required=True)
    item_sku = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)


class DeviationType(graphene.ObjectType):
    """A temperature deviation investigation (偏差调查)."""

    class Meta:
        name = "Deviation"

    id = graphene.ID(required=True)
    sensor_code = graphene.String(required=True)
    opened_at = graphene.DateTime(required=True)
    temperature_c = graphene.Decimal(required=True)
    owner = graphene.String(required=True)
    deadline = graphene.DateTime(required=True)
    state = graphene.String(required=True)
    escalated_at = graphene.DateTime()
    lots = graphene.List(graphene.NonNull(DeviationLotType), required=True)

    @staticmethod
    def resolve_id(deviation: Deviation, info: Any) -> str:
        return str(deviation.pk)

    @staticmethod
    def resolve_sensor_code(deviation: Deviation, info: Any) -> str:
        return deviation.sensor.code

    @staticmethod
    def resolve_lots(deviation: Deviation, info: Any) -> list[dict[str, Any]]:
        rows = deviation.lots.values_list("lot__code", "item__sku", "quantity")
        return [{"lot_code": code, "item_sku": sku, "quantity": quantity} for code, sku, quantity in rows]


class DecideDeviation(BaseMutation):
    """Close an investigation: release or rework lift the lots' hold; destroy writes them off to the loss location."""

    deviation = graphene.Field(DeviationType)
    destroyed_quantity = graphene.Decimal()

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "food"

    class Arguments:
        deviation_id = graphene.ID(required=True)
        decision = DeviationDecisionEnum(required=True)
        note = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DecideDeviation:
        found = Deviation.objects.select_related("sensor").filter(pk=require_pk(data["deviation_id"], "deviationId")).first()
        if found is None:
            raise NotFound(_("Unknown deviation %(id)s.") % {"id": data["deviation_id"]}, field="deviationId")
        decision = data["decision"]
        value = decision.value if hasattr(decision, "value") else str(decision)
        result = deviations.decide(found, value, actor=actor_label(actor_from_request(info.context)), note=data["note"])
        return cls(deviation=result.deviation, destroyed_quantity=result.destroyed_quantity, errors=[])


class DeviationQueries(graphene.ObjectType):
    food_deviations = graphene.List(
        graphene.NonNull(DeviationType),
        required=True,
        open_only=graphene.Boolean(default_value=True),
        first=graphene.Int(default_value=50),
    )

    @staticmethod
    def resolve_food_deviations(root: Any, info: Any, open_only: bool, first: int) -> list[Deviation]:
        queryset = Deviation.objects.select_related("sensor")
        if open_only:
            queryset = queryset.filter(state=DeviationState.OPEN)
        return list(queryset[: max(1, min(first, 200))])


class DeviationMutations(graphene.ObjectType):
    decide_deviation = DecideDeviation.Field()
