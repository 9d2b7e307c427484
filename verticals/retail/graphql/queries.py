"""Retail queries (guarded by the retail module: core.graphql.schema reads the registering module)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django import DjangoConnectionField

from core.catalog.graphql.types import ordered
from core.graphql.lookups import pk_from_id
from verticals.retail import selectors
from verticals.retail.graphql.types import RetailStoreType
from verticals.retail.models import RetailStore

ORDERING = {"code": "store__code", "name": "store__name", "createdAt": "created_at"}


class RetailQueries(graphene.ObjectType):
    retail_stores = DjangoConnectionField(
        RetailStoreType,
        active=graphene.Boolean(),
        search=graphene.String(description="Part of the code or name."),
        ordering=graphene.String(description="code, name or createdAt; a leading - sorts descending."),
    )
    retail_store = graphene.Field(RetailStoreType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_retail_stores(root: Any, info: Any, **args: Any) -> QuerySet[RetailStore]:
        queryset = selectors.retail_stores(active=args.get("active"), search=(args.get("search") or "").strip())
        ordering = args.get("ordering") or ""
        field = ORDERING.get(ordering.lstrip("-"))
        if field is None:
            return queryset
        return ordered(queryset, ("-" if ordering.startswith("-") else "") + field, frozenset(ORDERING.values()))

    @staticmethod
    def resolve_retail_store(root: Any, info: Any, id: str) -> RetailStore | None:
        pk = pk_from_id(id, "RetailStore")
        return selectors.retail_stores().filter(pk=pk).first() if pk is not None else None
