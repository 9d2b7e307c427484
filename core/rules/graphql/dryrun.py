"""The dry-run query: what a saved rule or a draft would have done over the last N days, and what it conflicts with."""

from __future__ import annotations

from typing import Any

import graphene

from core.rules.actions import normalize_actions
from core.rules.conditions import normalize_tree
from core.rules.dryrun import Draft, DryRunReport, dry_run
from core.rules.exceptions import RuleError, RuleErrorCode
from core.rules.grammar import parse_rule
from core.rules.selectors import get_rule
from core.rules.services import validate_trigger


class DryRunDocumentType(graphene.ObjectType):
    class Meta:
        name = "DryRunDocument"

    subject_type = graphene.String(required=True)
    subject_id = graphene.String(required=True)
    number = graphene.String(required=True)
    total = graphene.Decimal()
    occurred_at = graphene.DateTime(required=True)


class RuleConflictType(graphene.ObjectType):
    class Meta:
        name = "RuleConflict"

    rule_id = graphene.ID(required=True)
    rule_name = graphene.String(required=True)
    kind = graphene.String(required=True, description="set_field or verdict")
    detail = graphene.String(required=True)


class DryRunReportType(graphene.ObjectType):
    class Meta:
        name = "DryRunReport"

    trigger = graphene.String(required=True)
    days = graphene.Int(required=True)
    evaluated = graphene.Int(required=True)
    matched = graphene.Int(required=True)
    money = graphene.Decimal(required=True, description="The sum of the touched documents' totals.")
    documents = graphene.List(graphene.NonNull(DryRunDocumentType), required=True)
    actions = graphene.List(graphene.NonNull(graphene.String), required=True)
    errors = graphene.List(graphene.NonNull(graphene.String), required=True)
    conflicts = graphene.List(graphene.NonNull(RuleConflictType), required=True)


class RuleDryRunQueries(graphene.ObjectType):
    dry_run_rule = graphene.Field(
        DryRunReportType,
        rule_id=graphene.ID(description="A saved rule; or give text (or condition and actions) and a trigger."),
        text=graphene.String(),
        language=graphene.String(default_value="auto"),
        condition=graphene.JSONString(),
        actions=graphene.JSONString(),
        trigger=graphene.String(),
        days=graphene.Int(default_value=30),
        description="Replays the trigger's events of the last `days` days; runs no action and writes nothing.",
    )

    @staticmethod
    def resolve_dry_run_rule(
        root: Any,
        info: Any,
        days: int,
        language: str,
        rule_id: str | None = None,
        text: str | None = None,
        condition: Any = None,
        actions: Any = None,
        trigger: str | None = None,
    ) -> DryRunReport:
        days = max(1, min(days, 366))
        if rule_id is not None:
            return dry_run(get_rule(int(rule_id)), days=days)
        if not trigger:
            raise RuleError("give a rule id, or a draft with its trigger", field="trigger", code=RuleErrorCode.INVALID_TRIGGER)
        if text:
            parsed = parse_rule(text, language)
            tree, acts = parsed.condition, parsed.actions
        else:
            tree, acts = normalize_tree(condition), normalize_actions(actions)
        return dry_run(Draft(validate_trigger(trigger), tree, acts), days=days)
