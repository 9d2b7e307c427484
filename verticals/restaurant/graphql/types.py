"""GraphQL types of the restaurant module."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from verticals.restaurant.models import Dish, Outlet, PosTicketLine, WasteRecord


class OutletType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    code = graphene.String(required=True)
    name = graphene.String(required=True)

    class Meta:
        model = Outlet
        name = "RestaurantOutlet"
        fields = ("id", "region", "open_weekdays", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Outlet, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_code(root: Outlet, info: Any) -> str:
        return root.store.code

    @staticmethod
    def resolve_name(root: Outlet, info: Any) -> str:
        return root.store.name


class DishType(DjangoObjectType):
    database_id = graphene.Int(required=True)

    class Meta:
        model = Dish
        name = "Dish"
        fields = ("id", "code", "name_zh", "name_en", "price", "active", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Dish, info: Any) -> int:
        return root.pk


class DishCostType(graphene.ObjectType):
    """Cost per portion from moving-average ingredient costs, and the margin on the price."""

    class Meta:
        name = "DishCost"

    dish = graphene.Field(DishType, required=True)
    cost = graphene.Decimal(required=True)
    margin = graphene.Decimal(required=True)
    margin_pct = graphene.Decimal()
    items_without_cost = graphene.List(graphene.NonNull(graphene.Int), required=True)

    @staticmethod
    def resolve_items_without_cost(root: Any, info: Any) -> list[int]:
        return list(root.missing_costs)


class IngredientQuantityType(graphene.ObjectType):
    class Meta:
        name = "IngredientQuantity"

    item_id = graphene.Int(required=True)
    quantity = graphene.Decimal(required=True, description="In the item's base unit.")


class TicketLineType(DjangoObjectType):
    database_id = graphene.Int(required=True)

    class Meta:
        model = PosTicketLine
        name = "PosTicketLine"
        fields = (
            "id", "ticket_no", "line_no", "kind", "dish_code", "quantity", "unit_price", "modifiers",
            "reverses_line_no", "sold_at", "status", "review_reason", "posting_key",
        )  # fmt: skip
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: PosTicketLine, info: Any) -> int:
        return root.pk


class WasteRecordType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    photo_url = graphene.String()

    class Meta:
        model = WasteRecord
        name = "WasteRecord"
        fields = ("id", "item", "quantity", "reason", "note", "unit_cost", "value", "recorded_by", "recorded_at", "posting_key")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: WasteRecord, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_photo_url(root: WasteRecord, info: Any) -> str | None:
        return root.photo.url if root.photo else None


class PrepRowType(graphene.ObjectType):
    class Meta:
        name = "PrepRow"

    kind = graphene.String(required=True, description="dish, sub_recipe or ingredient")
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)
    on_hand = graphene.Decimal()
    par = graphene.Decimal()
    to_prepare = graphene.Decimal()


class UsageVarianceType(graphene.ObjectType):
    class Meta:
        name = "UsageVariance"

    item_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    theoretical = graphene.Decimal(required=True)
    waste = graphene.Decimal(required=True)
    actual = graphene.Decimal(required=True)
    variance = graphene.Decimal(required=True)
    variance_pct = graphene.Decimal()


class IngestResultType(graphene.ObjectType):
    class Meta:
        name = "PosIngestResult"

    received = graphene.Int(required=True)
    already_received = graphene.Int(required=True)
    posted = graphene.Int(required=True)
    reversed = graphene.Int(required=True)
    in_review = graphene.Int(required=True)
    held_for_stock = graphene.Int(required=True)
    negative_items = graphene.List(graphene.NonNull(graphene.String), required=True)
    posting_key = graphene.String(required=True)
    messages = graphene.List(graphene.NonNull(graphene.String), required=True)


class LotRiskType(graphene.ObjectType):
    """A lot (or untracked stock) at an outlet with the spoilage model's view of it."""

    class Meta:
        name = "LotSpoilageRisk"

    item_id = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    lot_id = graphene.Int()
    quantity = graphene.Decimal(required=True)
    p_spoil = graphene.Float(required=True, description="Probability it spoils within the next 24 hours.")
    expected_waste = graphene.Float(required=True, description="Quantity expected to spoil before it is used.")
    hours_left = graphene.Float(required=True, description="Median hours before it spoils.")
    temperature_c = graphene.Float(required=True)


class ShiftType(graphene.ObjectType):
    class Meta:
        name = "StaffShift"

    staff = graphene.String(required=True)
    outlet = graphene.String(required=True)
    day = graphene.Int(required=True, description="0 = the week's first day")
    start = graphene.Int(required=True)
    end = graphene.Int(required=True)
    role = graphene.String(required=True)


class UnmetSlotType(graphene.ObjectType):
    class Meta:
        name = "UnmetStaffSlot"

    outlet = graphene.String(required=True)
    day = graphene.Int(required=True)
    hour = graphene.Int(required=True)
    role = graphene.String(required=True)
    needed = graphene.Int(required=True)
    covered = graphene.Int(required=True)
    reason = graphene.String(required=True)


class ScheduleType(graphene.ObjectType):
    class Meta:
        name = "StaffSchedule"

    shifts = graphene.List(graphene.NonNull(ShiftType), required=True)
    unmet = graphene.List(graphene.NonNull(UnmetSlotType), required=True)
    objective = graphene.Int(required=True)
    fatigue_penalty = graphene.Int(required=True)
    broken_soft_constraints = graphene.Int(required=True)
    status = graphene.String(required=True)
