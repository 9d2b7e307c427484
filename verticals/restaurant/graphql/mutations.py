"""Restaurant mutations; each needs the restaurant module writable. Thin: every one calls one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene

from core.graphql.base import BaseMutation
from core.graphql.errors import Error
from core.graphql.lookups import require_pk
from tenants.accounts.roles import Permission
from verticals.restaurant import backflush, services
from verticals.restaurant.backflush import TicketLineInput
from verticals.restaurant.exceptions import InfeasibleSchedule, NotFound, RecipeLoop, TicketLinesRejected
from verticals.restaurant.graphql.types import (
    DishType,
    IngestResultType,
    OutletType,
    ScheduleType,
    TicketLineType,
    WasteRecordType,
)
from verticals.restaurant.services import RecipeLineInput
from verticals.restaurant.waste import record_waste

MODULE = "restaurant"


def _actor(info: Any) -> str:
    user = getattr(info.context, "user", None)
    return str(getattr(user, "email", "") or "api")


class CreateRestaurantOutlet(BaseMutation):
    """Open an outlet: a core store with its stock location (`<code>/stock`) and its POS secret."""

    outlet = graphene.Field(OutletType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        region = graphene.String(default_value="CN")
        pos_secret = graphene.String(default_value="", description="HMAC key the outlet's POS signs with.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateRestaurantOutlet:
        return cls(outlet=services.open_outlet(**data), errors=[])


class CreateDish(BaseMutation):
    dish = graphene.Field(DishType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        code = graphene.String(required=True)
        name_zh = graphene.String(required=True)
        name_en = graphene.String(default_value="")
        price = graphene.Decimal(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateDish:
        return cls(dish=services.create_dish(**data), errors=[])


class RecipeLineInputType(graphene.InputObjectType):
    class Meta:
        name = "RecipeLineInput"

    item_id = graphene.ID(description="An ingredient; or give subRecipeCode.")
    sub_recipe_code = graphene.String()
    quantity = graphene.Decimal(required=True, description="Net quantity, in `unit` (default: base or yield unit).")
    unit = graphene.String(description="A unit code the catalog converts from, e.g. jin or g.")
    trim_loss_pct = graphene.Decimal(default_value=Decimal("0"))


class SaveRecipe(BaseMutation):
    """Create a recipe or give it a new version. A recipe that would use itself is refused with the loop's
    path in the message (code RECIPE_LOOP)."""

    version_number = graphene.Int()

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        dish_id = graphene.ID()
        yield_quantity = graphene.Decimal(default_value=Decimal("1"))
        yield_unit = graphene.String()
        lines = graphene.List(graphene.NonNull(RecipeLineInputType), required=True)
        note = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> SaveRecipe:
        lines = [
            RecipeLineInput(
                quantity=line.quantity,
                item_id=require_pk(line.item_id, f"lines.{n}.itemId", "Item", NotFound) if line.item_id else None,
                sub_recipe_code=line.sub_recipe_code,
                unit=line.unit,
                trim_loss_pct=line.trim_loss_pct or 0,
            )
            for n, line in enumerate(data["lines"])
        ]
        dish_id = require_pk(data["dish_id"], "dishId", "Dish", NotFound) if data.get("dish_id") else None
        try:
            version = services.save_recipe(
                code=data["code"], name=data["name"], lines=lines, yield_quantity=data["yield_quantity"],
                dish_id=dish_id, yield_unit=data.get("yield_unit"), note=data["note"], actor=_actor(info),
            )  # fmt: skip
        except RecipeLoop as loop:
            return cls(errors=[Error(field=loop.field, message=str(loop), code=loop.code)])
        return cls(version_number=version.number, errors=[])


class AddDishModifier(BaseMutation):
    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        dish_id = graphene.ID(required=True)
        code = graphene.String(required=True)
        item_id = graphene.ID(required=True)
        factor = graphene.Decimal(required=True, description="0 leaves the ingredient out, 2 doubles it.")
        name = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> AddDishModifier:
        services.add_modifier(
            dish_id=require_pk(data["dish_id"], "dishId", "Dish", NotFound),
            code=data["code"],
            item_id=require_pk(data["item_id"], "itemId", "Item", NotFound),
            factor=data["factor"],
            name=data["name"],
        )
        return cls(errors=[])


class TicketLineInputType(graphene.InputObjectType):
    class Meta:
        name = "PosTicketLineInput"

    ticket_no = graphene.String(required=True)
    line_no = graphene.Int(required=True)
    dish_code = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)
    sold_at = graphene.DateTime(required=True)
    kind = graphene.String(default_value="sale", description="sale, void or refund")
    modifiers = graphene.List(graphene.NonNull(graphene.String), default_value=[])
    unit_price = graphene.Decimal(default_value=Decimal("0"))
    reverses_line_no = graphene.Int(description="For a void or refund: the sale line it undoes.")


class IngestPosTicketLines(BaseMutation):
    """Store a batch of POS ticket lines (idempotent per outlet × ticket × line) and backflush their
    ingredients from the outlet's stock in one posting. Bad lines are reported as `lines.<row>.<field>`."""

    result = graphene.Field(IngestResultType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = MODULE

    class Arguments:
        outlet_id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(TicketLineInputType), required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> IngestPosTicketLines:
        lines = [
            TicketLineInput(
                ticket_no=row.ticket_no, line_no=row.line_no, dish_code=row.dish_code, quantity=row.quantity,
                sold_at=row.sold_at, kind=row.kind, modifiers=tuple(row.modifiers or ()), unit_price=row.unit_price or 0,
                reverses_line_no=row.reverses_line_no,
            )
            for row in data["lines"]
        ]  # fmt: skip
        outlet_id = require_pk(data["outlet_id"], "outletId", "RestaurantOutlet", NotFound)
        try:
            result = backflush.ingest_ticket_lines(outlet_id, lines, actor=_actor(info))
        except TicketLinesRejected as rejected:
            return cls(
                errors=[Error(field=f"lines.{b.row}.{b.field}", message=b.message, code=rejected.code) for b in rejected.bad_rows]
            )
        return cls(result=result, errors=[])


class ResolvePosReviewLine(BaseMutation):
    """Settle a ticket line in the review queue: map it to a dish (it is then backflushed) or dismiss it."""

    line = graphene.Field(TicketLineType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = MODULE

    class Arguments:
        line_id = graphene.ID(required=True)
        dish_code = graphene.String(description="Leave out to dismiss the line.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ResolvePosReviewLine:
        pk = require_pk(data["line_id"], "lineId", "PosTicketLine", NotFound)
        return cls(line=backflush.resolve_review_line(pk, dish_code=data.get("dish_code"), actor=_actor(info)), errors=[])


class RecordWaste(BaseMutation):
    """Write off an ingredient at an outlet to the loss location (a waste document). `clientKey` makes a
    retried request a no-op."""

    waste_record = graphene.Field(WasteRecordType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = MODULE

    class Arguments:
        outlet_id = graphene.ID(required=True)
        item_id = graphene.ID(required=True)
        quantity = graphene.Decimal(required=True)
        unit = graphene.String()
        reason = graphene.String(required=True, description="spoiled, expired, overproduction, dropped, returned, trim")
        note = graphene.String(default_value="")
        client_key = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RecordWaste:
        record = record_waste(
            outlet_id=require_pk(data["outlet_id"], "outletId", "RestaurantOutlet", NotFound),
            item_id=require_pk(data["item_id"], "itemId", "Item", NotFound),
            quantity=data["quantity"], unit=data.get("unit"), reason=data["reason"], note=data["note"],
            client_key=data["client_key"], actor=_actor(info),
        )  # fmt: skip
        return cls(waste_record=record, errors=[])


class SetParLevel(BaseMutation):
    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        outlet_id = graphene.ID(required=True)
        item_id = graphene.ID(required=True)
        quantity = graphene.Decimal(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> SetParLevel:
        services.set_par_level(
            outlet_id=require_pk(data["outlet_id"], "outletId", "RestaurantOutlet", NotFound),
            item_id=require_pk(data["item_id"], "itemId", "Item", NotFound),
            quantity=data["quantity"],
        )
        return cls(errors=[])


class PlanStaffSchedule(BaseMutation):
    """Roster a week for outlets of one labour region with CP-SAT; the roster is stored. An infeasible week
    answers INFEASIBLE_SCHEDULE naming the labour rule that blocks it (`field` carries the rule group)."""

    schedule = graphene.Field(ScheduleType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = MODULE

    class Arguments:
        outlet_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        week_start = graphene.Date(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> PlanStaffSchedule:
        from verticals.restaurant.rostering import plan_week

        ids = [require_pk(value, "outletIds", "RestaurantOutlet", NotFound) for value in data["outlet_ids"]]
        try:
            schedule = plan_week(ids, data["week_start"], actor=_actor(info))
        except InfeasibleSchedule as error:
            return cls(errors=[Error(field=f"schedule.{error.blocking}", message=str(error), code=error.code)])
        return cls(schedule=schedule, errors=[])


class RestaurantMutations(graphene.ObjectType):
    plan_staff_schedule = PlanStaffSchedule.Field()
    create_restaurant_outlet = CreateRestaurantOutlet.Field()
    create_dish = CreateDish.Field()
    save_recipe = SaveRecipe.Field()
    add_dish_modifier = AddDishModifier.Field()
    ingest_pos_ticket_lines = IngestPosTicketLines.Field()
    resolve_pos_review_line = ResolvePosReviewLine.Field()
    record_waste = RecordWaste.Field()
    set_par_level = SetParLevel.Field()
