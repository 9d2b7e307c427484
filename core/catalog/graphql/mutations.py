"""Catalog mutations: create and update items, create categories."""

from __future__ import annotations

from typing import Any

import graphene

from core.catalog import services
from core.catalog.graphql.types import CategoryType, CostMethodEnum, ItemType, RemovalStrategyEnum
from core.catalog.models import Item
from core.graphql.base import BaseMutation
from core.graphql.lookups import NotFound, pk_from_id
from tenants.accounts.roles import Permission


class ItemInput(graphene.InputObjectType):
    sku = graphene.String()
    name_zh = graphene.String()
    name_en = graphene.String()
    barcodes = graphene.List(graphene.NonNull(graphene.String))
    category_id = graphene.ID()
    base_unit_code = graphene.String(description="Unit code, e.g. pcs or kg; made if new.")
    lot_tracked = graphene.Boolean()
    shelf_life_days = graphene.Int()
    cost_method = CostMethodEnum()
    removal_strategy = RemovalStrategyEnum()
    pack_size = graphene.Decimal()
    moq = graphene.Decimal()
    abc_class = graphene.String()
    xyz_class = graphene.String()
    active = graphene.Boolean()


def _item_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if value is None and name not in ("category_id", "shelf_life_days"):
            continue
        if name == "base_unit_code":
            fields["base_unit_id"] = services.get_or_create_unit(value).pk
        elif name == "category_id":
            fields["category_id"] = pk_from_id(value, "Category") if value else None
        else:
            fields[name] = getattr(value, "value", value)  # graphene hands enums over as members
    return fields


class CreateItem(BaseMutation):
    item = graphene.Field(ItemType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        input = ItemInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateItem:
        fields = _item_fields(dict(data["input"]))
        fields.setdefault("base_unit_id", services.get_or_create_unit("pcs", "件").pk)
        return cls(item=services.create_item(**fields), errors=[])


class UpdateItem(BaseMutation):
    item = graphene.Field(ItemType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        id = graphene.ID(required=True)
        input = ItemInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> UpdateItem:
        pk = pk_from_id(data["id"], "Item")
        if pk is None or not Item.objects.filter(pk=pk).exists():
            raise NotFound("No such item.", field="id")
        return cls(item=services.update_item(pk, **_item_fields(dict(data["input"]))), errors=[])


class CreateCategory(BaseMutation):
    category = graphene.Field(CategoryType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        name = graphene.String(required=True)
        parent_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateCategory:
        parent = pk_from_id(data["parent_id"], "Category") if data.get("parent_id") else None
        return cls(category=services.create_category(data["name"], parent), errors=[])


class CatalogMutations(graphene.ObjectType):
    create_item = CreateItem.Field()
    update_item = UpdateItem.Field()
    create_category = CreateCategory.Field()
