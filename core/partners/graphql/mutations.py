"""Partner mutations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from graphene.types.generic import GenericScalar

from core.graphql.base import BaseMutation
from core.partners import services
from core.partners.graphql.types import CustomerType, SupplierType
from tenants.accounts.roles import Permission


class CreateSupplier(BaseMutation):
    supplier = graphene.Field(SupplierType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        declared_lead_time_days = graphene.Int(default_value=7)
        moq = graphene.Decimal(default_value=Decimal("0"))
        currency = graphene.String(default_value="CNY")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateSupplier:
        return cls(supplier=services.create_supplier(**data), errors=[])


class CreateCustomer(BaseMutation):
    customer = graphene.Field(CustomerType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "core"

    class Arguments:
        code = graphene.String(required=True)
        name = graphene.String(required=True)
        tier = graphene.String(default_value="standard")
        credit_limit = graphene.Decimal(default_value=Decimal("0"))
        addresses = GenericScalar()
        tags = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateCustomer:
        data["addresses"] = data.get("addresses") or []
        data["tags"] = data.get("tags") or []
        return cls(customer=services.create_customer(**data), errors=[])


class PartnerMutations(graphene.ObjectType):
    create_supplier = CreateSupplier.Field()
    create_customer = CreateCustomer.Field()
