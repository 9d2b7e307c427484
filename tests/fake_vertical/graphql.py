"""The test kit's GraphQL: one query field and one mutation, guarded by the testkit module like any vertical's."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.base import BaseMutation
from tenants.accounts.roles import Permission


class TestkitQueries(graphene.ObjectType):
    testkit_item_count = graphene.Int(required=True, description="Items whose SKU starts with TESTKIT-.")

    @staticmethod
    def resolve_testkit_item_count(root: Any, info: Any) -> int:
        from tests.fake_vertical.tasks import tally_testkit_items

        return tally_testkit_items()


class TestkitEcho(BaseMutation):
    echo = graphene.String()

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = "testkit"

    class Arguments:
        text = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> TestkitEcho:
        return cls(echo=data["text"], errors=[])


class TestkitMutations(graphene.ObjectType):
    testkit_echo = TestkitEcho.Field()
