"""Wires the rules engine into the document pipeline: a transition hook that evaluates `<subject_type>.<to_state>` rules.

A block or an unapproved require_approval vetoes the transition with a ValidationError. The veto rolls back the
whole transition transaction, including the audit rows written for it; the caller sees the reasons in the
TransitionVetoed error. Follow-ups attached to the veto run after the rollback: they write the evaluation's audit
rows again, and for an approval verdict open the approval request (core/rules/approvals.py), where an approver
decides it and an approval retries the transition.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.rules.approvals import ApprovalNeed, open_approval_request
from core.rules.evaluator import EvaluationResult, evaluate
from core.rules.models import RuleEvaluation

ContextProvider = Callable[[models.Model], dict[str, Any]]

_providers: dict[str, list[ContextProvider]] = {}


def register_context_provider(subject_type: str, provider: ContextProvider) -> None:
    """Let an app add context roots for its documents, e.g. sales adds {"customer": order.customer}."""
    _providers.setdefault(subject_type, []).append(provider)


@functools.lru_cache(maxsize=16)
def _cn_holidays(year: int) -> Any:
    # Building the calendar costs milliseconds; every transition and every replayed event asks for it.
    import holidays

    return holidays.country_holidays("CN", years=year)


def calendar_context(today: dt.date) -> dict[str, Any]:
    return {"date": today, "is_weekend": today.weekday() >= 5, "is_holiday": today in _cn_holidays(today.year)}


def document_context(doc: models.Model, subject_type: str) -> dict[str, Any]:
    context: dict[str, Any] = {subject_type: doc, "calendar": calendar_context(timezone.localdate())}
    if subject_type.endswith("_order") and subject_type != "purchase_order":
        context["order"] = doc  # sales_order fields are written order.* in the catalog
    for provider in _providers.get(subject_type, ()):
        context.update(provider(doc))
    return context


def rules_transition_hook(doc: models.Model, from_state: str, to_state: str, actor: str) -> bool:
    subject_type = getattr(type(doc), "SUBJECT_TYPE", "")
    if not subject_type:
        return False
    changed = getattr(doc, "state_changed_at", None)
    # One id per attempted transition of this document from this state, so a retried transition is one event.
    event_id = f"t:{subject_type}:{doc.pk}:{from_state}>{to_state}:{changed.isoformat() if changed else ''}"[:64]
    result = evaluate(
        f"{subject_type}.{to_state}",
        document_context(doc, subject_type),
        doc,
        event_id,
        subject_type=subject_type,
        subject_id=str(doc.pk),
    )
    if result.stops_transition:
        code = "rule_blocked" if result.blocked else "approval_required"
        # Django formats a message that has params with `message %= params`, so a bare % in a rule's name or
        # message would raise there (a 500); doubling it makes the formatting give the text back unchanged.
        message = "; ".join(result.reasons()).replace("%", "%%")
        veto = ValidationError(message, code=code, params={"verdicts": result.verdicts})
        # The veto must roll back the document change, and it takes every row written in the transition with
        # it; but the approver has to see the request, so the request is opened after the rollback.
        # The evaluation's audit rows go down with it too, so they are written again: the history shows the veto.
        follow_ups = [_opener(need) for need in _approval_needs(result, doc, from_state, to_state, actor)]
        veto.after_rollback = [*follow_ups, _audit_rewriter(result)]  # type: ignore[attr-defined]
        raise veto
    return False


def _approval_needs(
    result: EvaluationResult, doc: models.Model, from_state: str, to_state: str, actor: str
) -> list[ApprovalNeed]:
    if result.blocked:  # a blocked transition waits for nobody's approval: opening requests would mislead
        return []
    return [
        ApprovalNeed(
            rule_id=verdict["rule_id"],
            version_id=verdict["version_id"],
            subject_type=result.subject_type,
            subject_id=str(doc.pk),
            role=verdict["role"],
            reason=verdict["reason"],
            event_id=result.event_id,
            from_state=from_state,
            to_state=to_state,
            requested_by=actor,
        )
        for verdict in result.approvals_required
        if "rule_id" in verdict  # a module's own require_approval handler may not name its rule version
    ]


def _audit_rewriter(result: EvaluationResult) -> Callable[[], None]:
    def rewrite_audit() -> None:
        for row in result.audit_rows:
            row.pk = None  # the rolled-back INSERT gave them ids that no longer exist
        RuleEvaluation.objects.bulk_create(result.audit_rows)

    return rewrite_audit


def _opener(need: ApprovalNeed) -> Callable[[], None]:
    def open_request() -> None:
        open_approval_request(need)

    return open_request
