"""Recall GraphQL: start a recall (trace + timer), quarantine its lots, trace a complaint back to suppliers."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext as _

from core.access import actor_from_request, actor_label
from core.graphql.base import BaseMutation
from core.graphql.lookups import NotFound, require_pk
from tenants.accounts.roles import Permission
from verticals.food import recall as recalls
from verticals.food.exceptions import ComplaintNotTraceable
from verticals.food.models import Recall


class RecallStockType(graphene.ObjectType):
    class Meta:
        name = "RecallStock"

    location_code = graphene.String(required=True)
    item_sku = graphene.String(required=True)
    lot_code = graphene.String(required=True)
    on_hand = graphene.Decimal(required=True)


class RecallType(graphene.ObjectType):
    """A recall (召回) of a supplier lot: how long its trace took and what is still in stock."""

    class Meta:
        name = "Recall"

    id = graphene.ID(required=True)
    lot_code = graphene.String(required=True)
    item_sku = graphene.String(required=True)
    reason = graphene.String(required=True)
    started_at = graphene.DateTime(required=True)
    trace_ms = graphene.Decimal(required=True, description="How long the forward trace took (mock-recall timer).")
    traced_lot_count = graphene.Int(required=True)
    move_count = graphene.Int(required=True)
    quarantined_at = graphene.DateTime()
    in_stock = graphene.List(graphene.NonNull(RecallStockType), required=True, description="Traced stock per location now.")

    @staticmethod
    def resolve_id(recall: Recall, info: Any) -> str:
        return str(recall.pk)

    @staticmethod
    def resolve_lot_code(recall: Recall, info: Any) -> str:
        return recall.lot.code

    @staticmethod
    def resolve_item_sku(recall: Recall, info: Any) -> str:
        return recall.lot.item.sku

    @staticmethod
    def resolve_in_stock(recall: Recall, info: Any) -> list[recalls.StockStillHeld]:
        return recalls.trace_forward(recall.lot).in_stock


class SupplierLotType(graphene.ObjectType):
    class Meta:
        name = "SupplierLot"

    lot_code = graphene.String(required=True)
    item_sku = graphene.String(required=True)
    supplier = graphene.String(required=True)
    received_at = graphene.DateTime(required=True)
    quantity = graphene.Decimal(required=True)


class StartRecall(BaseMutation):
    """Trace a supplier lot forward and record the recall; an unknown lot is named in the error."""

    recall = graphene.Field(RecallType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "food"

    class Arguments:
        item_sku = graphene.String(required=True)
        lot_code = graphene.String(required=True)
        reason = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> StartRecall:
        lot = recalls.find_lot(data["item_sku"], data["lot_code"])
        recall, _trace = recalls.start_recall(lot, actor=actor_label(actor_from_request(info.context)), reason=data["reason"])
        return cls(recall=recall, errors=[])


class QuarantineRecall(BaseMutation):
    """Put every lot the recall traced on hold: picking, reserving and shipping them is refused."""

    recall = graphene.Field(RecallType)
    held_lot_count = graphene.Int(description="Lots newly put on hold by this call.")

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "food"

    class Arguments:
        recall_id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> QuarantineRecall:
        recall = Recall.objects.select_related("lot__item").filter(pk=require_pk(data["recall_id"], "recallId")).first()
        if recall is None:
            raise NotFound(_("Unknown recall %(id)s.") % {"id": data["recall_id"]}, field="recallId")
        held = recalls.quarantine(recall, actor=actor_label(actor_from_request(info.context)))
        recall.refresh_from_db()
        return cls(recall=recall, held_lot_count=held, errors=[])


class RecallQueries(graphene.ObjectType):
    food_recalls = graphene.List(graphene.NonNull(RecallType), required=True, first=graphene.Int(default_value=50))
    complaint_trace = graphene.List(
        graphene.NonNull(SupplierLotType),
        required=True,
        customer_id=graphene.ID(required=True),
        item_id=graphene.ID(required=True),
        on=graphene.Date(required=True),
        description="The supplier lots behind what the customer was sold of the item in the 30 days to `on`.",
    )

    @staticmethod
    def resolve_food_recalls(root: Any, info: Any, first: int) -> list[Recall]:
        return list(Recall.objects.select_related("lot__item")[: max(1, min(first, 200))])

    @staticmethod
    def resolve_complaint_trace(root: Any, info: Any, **args: Any) -> list[recalls.SupplierLot]:
        customer = require_pk(args["customer_id"], "customerId", "Customer", ComplaintNotTraceable)
        item = require_pk(args["item_id"], "itemId", "Item", ComplaintNotTraceable)
        return recalls.trace_complaint(customer, item, args["on"]).supplier_lots


class RecallMutations(graphene.ObjectType):
    start_recall = StartRecall.Field()
    quarantine_recall = QuarantineRecall.Field()
