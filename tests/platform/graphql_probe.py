"""A test-only URLconf: the real /graphql/ view and access checks over a throwaway schema.

Beside the real platform and account fields, the probe fields stand in for domain fields of two modules
(core and food, plus restaurant, which the test tenants have not enabled), so the module guard and key
scopes are tested without depending on any domain app's schema. `boom` raises inside a resolver, to
prove the exception text never reaches the client. `/probe/administer/` is a web page guarded by the
same check as the API.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from core.graphql.accounts import AccountMutations, AccountQueries
from core.graphql.base import BaseMutation
from core.graphql.core_queries import CoreQueries
from core.graphql.schema import assemble_schema
from core.graphql.view import TenantGraphQLView
from core.web.decorators import require
from tenants.accounts.roles import Permission

INTERNAL_DETAIL = "password=hunter2 at db-7.internal"


class Tree(graphene.ObjectType):
    """A self-nesting type, to write documents of any depth."""

    name = graphene.String()
    child = graphene.Field(lambda: Tree)

    @staticmethod
    def resolve_name(root: Any, info: Any) -> str:
        return "branch"

    @staticmethod
    def resolve_child(root: Any, info: Any) -> object:
        return object()


class CoreProbeQueries(graphene.ObjectType):
    stock_note = graphene.String()
    boom = graphene.String()
    tree = graphene.Field(Tree)

    @staticmethod
    def resolve_tree(root: Any, info: Any) -> object:
        return object()

    @staticmethod
    def resolve_stock_note(root: Any, info: Any) -> str:
        return "core data"

    @staticmethod
    def resolve_boom(root: Any, info: Any) -> str:
        raise RuntimeError(INTERNAL_DETAIL)


class FoodProbeQueries(graphene.ObjectType):
    food_note = graphene.String()

    @staticmethod
    def resolve_food_note(root: Any, info: Any) -> str:
        return "food data"


class RestaurantProbeQueries(graphene.ObjectType):
    restaurant_note = graphene.String()

    @staticmethod
    def resolve_restaurant_note(root: Any, info: Any) -> str:
        return "restaurant data"


class TouchCore(BaseMutation):
    done = graphene.Boolean()

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = "core"

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> TouchCore:
        return cls(done=True)


class TouchFood(BaseMutation):
    done = graphene.Boolean()

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = "food"

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> TouchFood:
        return cls(done=True)


class ProbeMutations(graphene.ObjectType):
    touch_core = TouchCore.Field()
    touch_food = TouchFood.Field()


probe_schema = assemble_schema(
    [
        ("core", (CoreQueries, AccountQueries, CoreProbeQueries), (AccountMutations, ProbeMutations)),
        ("food", (FoodProbeQueries,), ()),
        ("restaurant", (RestaurantProbeQueries,), ()),
    ]
)


@require(Permission.ADMINISTER)
def administer_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("user administration")


urlpatterns = [
    path("graphql/", TenantGraphQLView.as_view(schema=probe_schema)),
    path("probe/administer/", administer_page),
    path("", include("core.web.urls")),
]
