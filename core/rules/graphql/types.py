"""GraphQL types of the rules engine: rules, their versions with diffs, and parse results for the editor."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.rules.grammar import render
from core.rules.models import Rule, RuleVersion


class RuleChangeType(graphene.ObjectType):
    kind = graphene.String(required=True, description="created, condition_added, condition_changed, action_removed, …")
    detail = graphene.String(required=True)


class RuleVersionType(DjangoObjectType):
    condition = graphene.JSONString(required=True)
    actions = graphene.JSONString(required=True)
    diff = graphene.List(graphene.NonNull(RuleChangeType), required=True, description="Changes against the previous version.")
    text = graphene.String(required=True, language=graphene.String(default_value="zh"), description="Rendered in a language.")

    class Meta:
        model = RuleVersion
        name = "RuleVersion"
        fields = ("id", "number", "source_text", "language", "author", "reason", "rolled_back_from", "created_at")

    @staticmethod
    def resolve_diff(root: RuleVersion, info: Any) -> list[RuleChangeType]:
        return [RuleChangeType(kind=item["kind"], detail=item["detail"]) for item in root.diff]

    @staticmethod
    def resolve_text(root: RuleVersion, info: Any, language: str) -> str:
        return render(root.condition, root.actions, language)


class RuleType(DjangoObjectType):
    versions = graphene.List(graphene.NonNull(RuleVersionType), required=True, description="Newest first.")

    class Meta:
        model = Rule
        name = "Rule"
        fields = (
            "id",
            "name",
            "description",
            "trigger",
            "module",
            "priority",
            "active",
            "active_from",
            "active_until",
            "current_version",
            "created_at",
            "updated_at",
        )
        use_connection = True

    @staticmethod
    def resolve_versions(root: Rule, info: Any) -> list[RuleVersion]:
        # prefetched by the list and detail resolvers, so a page of rules costs one query for all versions
        return sorted(root.versions.all(), key=lambda v: -v.number)


class RuleParseErrorType(graphene.ObjectType):
    message = graphene.String(required=True)
    code = graphene.String(required=True)
    position = graphene.Int(required=True, description="Character offset in the text.")
    excerpt = graphene.String(required=True, description="The line with a caret under the position.")
    expected = graphene.List(graphene.NonNull(graphene.String), required=True)
    suggestions = graphene.List(graphene.NonNull(graphene.String), required=True, description="Close field or value names.")


class RuleParseResultType(graphene.ObjectType):
    ok = graphene.Boolean(required=True)
    language = graphene.String(required=True)
    condition = graphene.JSONString()
    actions = graphene.JSONString()
    canonical_text = graphene.String(description="The rule rendered back in its language.")
    error = graphene.Field(RuleParseErrorType)
