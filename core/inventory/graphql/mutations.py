"""Ledger mutations: a stock adjustment (盘盈/盘亏 outside a count document) and reversing a posting."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.lookups import NotFound, pk_from_id
from core.inventory.graphql.types import PostingType
from core.inventory.services import MoveLine, post_moves, reverse_posting
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tenants.accounts.roles import Permission


class AdjustStock(BaseMutation):
    """Book a gain (positive quantity) or a loss (negative) against the inventory-loss location."""

    posting = graphene.Field(PostingType)

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = "core"

    class Arguments:
        item_id = graphene.ID(required=True)
        location_id = graphene.ID(required=True)
        quantity = graphene.Decimal(required=True, description="In the base unit; negative for a loss.")
        lot_id = graphene.ID()
        lot_code = graphene.String(description="For a gain of a lot-tracked item.")
        expiry_date = graphene.Date()
        reason = graphene.String(default_value="")
        idempotency_key = graphene.String(description="Send the same key again to retry safely.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> AdjustStock:
        item_id, location_id = pk_from_id(data["item_id"], "Item"), pk_from_id(data["location_id"], "Location")
        if item_id is None:
            raise NotFound("No such item.", field="itemId")
        if location_id is None:
            raise NotFound("No such location.", field="locationId")
        quantity = Decimal(data["quantity"])
        loss = get_virtual_location(LocationKind.INVENTORY_LOSS).pk
        source, target = (loss, location_id) if quantity > 0 else (location_id, loss)
        line = MoveLine(
            item_id=item_id,
            from_location_id=source,
            to_location_id=target,
            quantity=abs(quantity),
            lot_id=pk_from_id(data["lot_id"], "Lot") if data.get("lot_id") else None,
            lot_code=data.get("lot_code") or None,
            expiry_date=data.get("expiry_date"),
        )
        posting = post_moves(
            [line],
            idempotency_key=data.get("idempotency_key") or f"adjustment:{uuid.uuid4().hex}",
            document_type="adjustment",
            actor=actor_from_request(info.context).label(),
            reason=data.get("reason") or "",
        )
        return cls(posting=posting, errors=[])


class ReversePosting(BaseMutation):
    """Post the mirror image of a posting; the original stays in the ledger."""

    posting = graphene.Field(PostingType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        idempotency_key = graphene.String(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReversePosting:
        actor = actor_from_request(info.context).label()
        return cls(posting=reverse_posting(data["idempotency_key"], actor=actor, reason=data["reason"]), errors=[])


class InventoryMutations(graphene.ObjectType):
    adjust_stock = AdjustStock.Field()
    reverse_posting = ReversePosting.Field()
