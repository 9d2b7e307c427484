"""Rule reads: lists for the rules center, a rule with its versions, audit and approvals for a subject."""

from __future__ import annotations

from django.db.models import QuerySet

from core.rules.exceptions import RuleErrorCode, RuleNotFound
from core.rules.models import ApprovalRequest, Rule, RuleEvaluation, RuleVersion


def rule_list(*, active: bool | None = None, trigger: str | None = None, module: str | None = None) -> QuerySet[Rule]:
    rules = Rule.objects.select_related("current_version")
    if active is not None:
        rules = rules.filter(active=active)
    if trigger:
        rules = rules.filter(trigger=trigger)
    if module:
        rules = rules.filter(module=module)
    return rules.order_by("priority", "pk")


def get_rule(rule_id: int) -> Rule:
    try:
        return Rule.objects.select_related("current_version").get(pk=rule_id)
    except Rule.DoesNotExist:
        raise RuleNotFound(f"Rule {rule_id} does not exist", field="id", code=RuleErrorCode.RULE_NOT_FOUND) from None


def rule_versions(rule: Rule) -> QuerySet[RuleVersion]:
    return rule.versions.order_by("-number")


def evaluations_for_subject(subject_type: str, subject_id: str) -> QuerySet[RuleEvaluation]:
    return RuleEvaluation.objects.filter(subject_type=subject_type, subject_id=subject_id).select_related("version__rule")


def pending_approvals(subject_type: str | None = None, subject_id: str | None = None) -> QuerySet[ApprovalRequest]:
    requests = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING)
    if subject_type is not None:
        requests = requests.filter(subject_type=subject_type, subject_id=subject_id or "")
    return requests.order_by("created_at", "pk")
