"""Rule mutations: create, update (a new version), roll back, switch on/off, and parse text for live editor feedback."""

from __future__ import annotations

from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.rules import services
from core.rules.exceptions import RuleParseError
from core.rules.grammar import detect_language, parse_rule, render
from core.rules.graphql.types import RuleParseErrorType, RuleParseResultType, RuleType, RuleVersionType
from core.rules.selectors import get_rule
from tenants.accounts.roles import Permission


def _actor(info: Any) -> str:
    return actor_from_request(info.context).label()


class CreateRule(BaseMutation):
    rule = graphene.Field(RuleType)

    class Arguments:
        name = graphene.String(required=True)
        trigger = graphene.String(required=True, description='An event type ("sales_order.confirmed") or "cron:0 8 * * *".')
        text = graphene.String(description="The rule in plain language; or give condition and actions.")
        language = graphene.String(default_value="auto")
        condition = graphene.JSONString()
        actions = graphene.JSONString()
        priority = graphene.Int(default_value=100)
        module = graphene.String(default_value="core")
        active = graphene.Boolean(default_value=True)
        reason = graphene.String(default_value="")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateRule:
        rule = services.create_rule(actor=_actor(info), **data)
        return cls(rule=rule, errors=[])


class UpdateRule(BaseMutation):
    rule = graphene.Field(RuleType)
    version = graphene.Field(RuleVersionType)

    class Arguments:
        id = graphene.ID(required=True)
        text = graphene.String()
        language = graphene.String(default_value="auto")
        condition = graphene.JSONString()
        actions = graphene.JSONString()
        trigger = graphene.String()
        priority = graphene.Int()
        reason = graphene.String(default_value="")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, id: str, **data: Any) -> UpdateRule:
        version = services.update_rule(get_rule(int(id)), actor=_actor(info), **data)
        return cls(rule=get_rule(int(id)), version=version, errors=[])


class RollbackRule(BaseMutation):
    rule = graphene.Field(RuleType)
    version = graphene.Field(RuleVersionType, description="The new version, a copy of the one rolled back to.")

    class Arguments:
        id = graphene.ID(required=True)
        to_version = graphene.Int(required=True)
        reason = graphene.String(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, id: str, to_version: int, reason: str) -> RollbackRule:
        version = services.rollback_rule(get_rule(int(id)), to_version, _actor(info), reason)
        return cls(rule=get_rule(int(id)), version=version, errors=[])


class ActivateRule(BaseMutation):
    rule = graphene.Field(RuleType)

    class Arguments:
        id = graphene.ID(required=True)
        active = graphene.Boolean(default_value=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, id: str, active: bool) -> ActivateRule:
        return cls(rule=services.set_rule_active(get_rule(int(id)), active), errors=[])


class DeactivateRule(BaseMutation):
    rule = graphene.Field(RuleType)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, id: str, **data: Any) -> DeactivateRule:
        return cls(rule=services.set_rule_active(get_rule(int(id)), False), errors=[])


class ParseRuleText(BaseMutation):
    """Compile text without saving: the tree and canonical text, or the positioned error with suggestions."""

    result = graphene.Field(RuleParseResultType)

    class Arguments:
        text = graphene.String(required=True)
        language = graphene.String(default_value="auto")

    class Meta:
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, text: str, language: str) -> ParseRuleText:
        language = detect_language(text) if language == "auto" else language[:2]
        try:
            parsed = parse_rule(text, language)
        except RuleParseError as error:
            detail = RuleParseErrorType(**error.as_dict())
            return cls(result=RuleParseResultType(ok=False, language=language, error=detail), errors=[])
        canonical = render(parsed.condition, parsed.actions, parsed.language)
        result = RuleParseResultType(
            ok=True, language=parsed.language, condition=parsed.condition, actions=parsed.actions, canonical_text=canonical
        )
        return cls(result=result, errors=[])


class RulesMutations(graphene.ObjectType):
    create_rule = CreateRule.Field()
    update_rule = UpdateRule.Field()
    rollback_rule = RollbackRule.Field()
    activate_rule = ActivateRule.Field()
    deactivate_rule = DeactivateRule.Field()
    parse_rule_text = ParseRuleText.Field()
