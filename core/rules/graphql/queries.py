"""Rule queries: the rules center list and one rule with its versions and diffs."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.rules import selectors
from core.rules.graphql.types import RuleType
from core.rules.models import Rule


class RulesQueries(graphene.ObjectType):
    rules = DjangoConnectionField(
        RuleType,
        active=graphene.Boolean(),
        trigger=graphene.String(),
        module=graphene.String(),
        description="Rules in priority order.",
    )
    rule = graphene.Field(RuleType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_rules(
        root: Any, info: Any, active: bool | None = None, trigger: str | None = None, module: str | None = None, **kwargs: Any
    ) -> QuerySet[Rule]:
        return selectors.rule_list(active=active, trigger=trigger, module=module).prefetch_related("versions")

    @staticmethod
    def resolve_rule(root: Any, info: Any, id: str) -> Rule | None:
        return Rule.objects.filter(pk=int(id)).select_related("current_version").prefetch_related("versions").first()
