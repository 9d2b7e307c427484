"""Partner queries."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q, QuerySet
from graphene_django import DjangoConnectionField

from core.catalog.graphql.types import ordered
from core.partners.graphql.types import CustomerType, SupplierType
from core.partners.models import Customer, Supplier

ORDERING = frozenset({"code", "name", "created_at"})


def _filter(queryset: QuerySet[Any], args: dict[str, Any]) -> QuerySet[Any]:
    if args.get("search"):
        queryset = queryset.filter(Q(code__icontains=args["search"]) | Q(name__icontains=args["search"]))
    if args.get("active") is not None:
        queryset = queryset.filter(active=args["active"])
    return ordered(queryset, args.get("ordering"), ORDERING)


class PartnerQueries(graphene.ObjectType):
    suppliers = DjangoConnectionField(
        SupplierType, search=graphene.String(), active=graphene.Boolean(), ordering=graphene.String()
    )
    customers = DjangoConnectionField(
        CustomerType, search=graphene.String(), active=graphene.Boolean(), tier=graphene.String(), ordering=graphene.String()
    )

    @staticmethod
    def resolve_suppliers(root: Any, info: Any, **args: Any) -> QuerySet[Supplier]:
        return _filter(Supplier.objects.all(), args)

    @staticmethod
    def resolve_customers(root: Any, info: Any, **args: Any) -> QuerySet[Customer]:
        queryset = Customer.objects.all()
        if args.get("tier"):
            queryset = queryset.filter(tier=args["tier"])
        return _filter(queryset, args)
