"""GraphQL types of partners."""

from __future__ import annotations

from typing import Any

import graphene
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection
from core.partners.models import Customer, Supplier


class SupplierType(DjangoObjectType):
    database_id = graphene.Int(required=True)

    class Meta:
        model = Supplier
        name = "Supplier"
        fields = (
            "id",
            "code",
            "name",
            "declared_lead_time_days",
            "learned_lead_time_mean_days",
            "learned_lead_time_std_days",
            "lead_time_samples",
            "moq",
            "currency",
            "active",
            "created_at",
        )
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Supplier, info: Any) -> int:
        return root.pk


class CustomerType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    addresses = GenericScalar(required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Customer
        name = "Customer"
        fields = ("id", "code", "name", "tier", "credit_limit", "active", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: Customer, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_addresses(root: Customer, info: Any) -> list[Any]:
        return list(root.addresses or [])

    @staticmethod
    def resolve_tags(root: Customer, info: Any) -> list[str]:
        return [str(tag) for tag in root.tags or []]
