"""The shared template catalog over GraphQL: list templates, publish a rule as one, import one as a new rule."""

from __future__ import annotations

from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.rule_catalog.models import RuleTemplate
from core.rules.graphql.types import RuleType
from core.rules.selectors import get_rule
from core.rules.templates import import_template, list_templates, publish_template
from tenants.accounts.roles import Permission


class RuleTemplateType(graphene.ObjectType):
    class Meta:
        name = "RuleTemplate"

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    trigger = graphene.String(required=True)
    condition = graphene.JSONString(required=True)
    actions = graphene.JSONString(required=True)
    placeholders = graphene.JSONString(required=True, description='{"value_1": {"slot": ..., "type": ...}} to fill on import.')
    import_count = graphene.Int(required=True)
    published_at = graphene.DateTime(required=True)


class RuleTemplateQueries(graphene.ObjectType):
    rule_templates = graphene.List(graphene.NonNull(RuleTemplateType), required=True, trigger=graphene.String())

    @staticmethod
    def resolve_rule_templates(root: Any, info: Any, trigger: str | None = None) -> list[RuleTemplate]:
        return list(list_templates(trigger)[:200])


class PublishRuleTemplate(BaseMutation):
    template = graphene.Field(RuleTemplateType)

    class Arguments:
        rule_id = graphene.ID(required=True)
        title = graphene.String(required=True)
        description = graphene.String(default_value="")
        keep_numbers = graphene.Boolean(default_value=False, description="Keep the rule's numbers instead of placeholders.")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, rule_id: str, **data: Any) -> PublishRuleTemplate:
        actor = actor_from_request(info.context)
        rule = get_rule(int(rule_id))
        template = publish_template(rule, actor, data["title"], data["description"], keep_numbers=data["keep_numbers"])
        return cls(template=template, errors=[])


class ImportRuleTemplate(BaseMutation):
    rule = graphene.Field(RuleType)

    class Arguments:
        template_id = graphene.ID(required=True)
        values = graphene.JSONString(required=True, description='{"value_1": "...", "value_2": 30000}')
        name = graphene.String(default_value="")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, template_id: str, values: Any, name: str) -> ImportRuleTemplate:
        actor = actor_from_request(info.context).label()
        values = values if isinstance(values, dict) else {}
        return cls(rule=import_template(int(template_id), values, actor, name=name), errors=[])


class RuleTemplateMutations(graphene.ObjectType):
    publish_rule_template = PublishRuleTemplate.Field()
    import_rule_template = ImportRuleTemplate.Field()
