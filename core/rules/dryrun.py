"""Dry run and impact map: what a rule (or a draft) would have done to the last N days of events, and its conflicts.

A dry run replays the DomainEvents of the rule's trigger, rebuilds each subject's evaluation context through the
same providers the transition hook uses (`document_context`), and evaluates only the condition: no action runs,
no audit row, no action log, nothing is written. The subject is read as it is now, not as it was at the event;
the calendar is the event's day. An event type with a subject expander (weather, lots) is replayed per subject
as the live consumer sees it; a scheduled (cron:) rule is judged at each of its slots in the window; any other
subject that is not a pipeline document is seen through the event's payload. Market prices are read as of
today, not as of the event.

Conflicts (a deliberately simple definition): two active rules on the same trigger conflict when their
conditions may overlap and their actions contradict. Conditions are taken to overlap unless both pin the same
field with `eq` to different values at the top level. Actions contradict when they `set_field` the same field to
different values, or when one blocks and the other asks for an approval (or blocks while the other lets the
document through with only side effects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from core.events.models import DomainEvent
from core.rules.conditions import compile_tree
from core.rules.evaluator import make_lookup
from core.rules.events import expand_events, expander_for
from core.rules.grammar import render_action
from core.rules.models import Rule, RuleVersion
from core.rules.schedules import PREFIX, parse_schedule, slots
from core.rules.transitions import calendar_context, document_context


@dataclass(frozen=True)
class Draft:
    """A rule not saved yet: its trigger, canonical condition tree and actions."""

    trigger: str
    condition: dict[str, Any]
    actions: list[dict[str, Any]]
    rule_id: int | None = None


@dataclass
class TouchedDocument:
    subject_type: str
    subject_id: str
    number: str
    total: Decimal | None
    event_id: int
    occurred_at: dt.datetime


@dataclass
class Conflict:
    rule_id: int
    rule_name: str
    kind: str  # set_field, verdict
    detail: str


@dataclass
class DryRunReport:
    trigger: str
    days: int
    evaluated: int = 0
    matched: int = 0
    documents: list[TouchedDocument] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # what each match would have done, in words
    money: Decimal = Decimal("0")
    errors: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def as_draft(rule_or_draft: Rule | RuleVersion | Draft) -> Draft:
    if isinstance(rule_or_draft, Draft):
        return rule_or_draft
    version = rule_or_draft.current_version if isinstance(rule_or_draft, Rule) else rule_or_draft
    if version is None:
        raise ValueError("the rule has no version")
    return Draft(version.rule.trigger, version.condition, list(version.actions), version.rule_id)


def subject_models() -> dict[str, type[models.Model]]:
    """Pipeline documents by their SUBJECT_TYPE."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        subject_type = getattr(model, "SUBJECT_TYPE", "")
        if subject_type:
            found[subject_type] = model
    return found


def _with_parents(model: type[models.Model]) -> models.QuerySet[Any]:
    """The documents with their required parents (customer, supplier, location) joined: no query per event."""
    parents = [f.name for f in model._meta.concrete_fields if f.is_relation and not f.null]
    return model._default_manager.select_related(*parents)


def dry_run(
    rule_or_draft: Rule | RuleVersion | Draft, days: int = 30, now: dt.datetime | None = None, language: str = "zh"
) -> DryRunReport:
    draft = as_draft(rule_or_draft)
    now = now or timezone.now()
    report = DryRunReport(draft.trigger, days)
    predicate = compile_tree(draft.condition)
    described = [render_action(action, language) for action in draft.actions]
    if draft.trigger.startswith(PREFIX):
        _replay_slots(draft.trigger, now - dt.timedelta(days=days), now, predicate, described, report)
        report.conflicts = find_conflicts(draft)
        return report
    events = list(
        DomainEvent.objects.filter(event_type=draft.trigger, occurred_at__gte=now - dt.timedelta(days=days), occurred_at__lte=now)
        .order_by("occurred_at", "pk")
        .values_list("pk", "subject_type", "subject_id", "occurred_at", "payload")
    )
    if expander_for(draft.trigger) is not None:
        _replay_expanded(draft.trigger, events, predicate, described, report)
        report.conflicts = find_conflicts(draft)
        return report
    models_by_type = subject_models()
    wanted: dict[str, set[int]] = {}
    for _, subject_type, subject_id, _, _ in events:
        wanted.setdefault(subject_type, set()).add(subject_id)
    docs = {
        (subject_type, pk): doc
        for subject_type, ids in wanted.items()
        if subject_type in models_by_type
        for pk, doc in _with_parents(models_by_type[subject_type]).in_bulk(list(ids)).items()
    }
    calendars: dict[dt.date, dict[str, Any]] = {}
    for event_pk, subject_type, subject_id, occurred_at, payload in events:
        doc = docs.get((subject_type, subject_id))
        context: dict[str, Any] = document_context(doc, subject_type) if doc is not None else {subject_type: payload}
        day = timezone.localdate(occurred_at)
        if day not in calendars:  # the calendar of the event's day, not today's
            calendars[day] = calendar_context(day)
        context["calendar"] = calendars[day]
        report.evaluated += 1
        try:
            matched = predicate(make_lookup(context))
        except Exception as error:  # noqa: BLE001  a failing condition is reported, as the evaluator would log it
            report.errors.append(f"{subject_type}#{subject_id}: {error}")
            continue
        if not matched:
            continue
        report.matched += 1
        total = getattr(doc, "total", None)
        total = total if isinstance(total, Decimal) else None
        number = str(getattr(doc, "number", "") or "")
        report.documents.append(TouchedDocument(subject_type, str(subject_id), number, total, event_pk, occurred_at))
        report.actions += [f"{number or subject_id}: {text}" for text in described]
        report.money += total or Decimal("0")
    report.conflicts = find_conflicts(draft)
    return report


def _replay_slots(
    trigger: str, start: dt.datetime, end: dt.datetime, predicate: Any, described: list[str], report: DryRunReport
) -> None:
    """A scheduled rule has no events to replay: judge each slot of its schedule in the window, on its day."""
    calendars: dict[dt.date, dict[str, Any]] = {}
    for slot in slots(parse_schedule(trigger[len(PREFIX) :]), start, end):
        day = slot.date()
        if day not in calendars:
            calendars[day] = calendar_context(day)
        report.evaluated += 1
        if not predicate(make_lookup({"calendar": calendars[day], "schedule": {"slot": slot}})):
            continue
        report.matched += 1
        stamp = slot.strftime("%Y-%m-%d %H:%M")
        report.documents.append(TouchedDocument("schedule", slot.isoformat(), stamp, None, 0, slot))
        report.actions += [f"{stamp}: {text}" for text in described]


def _replay_expanded(
    trigger: str, events: list[tuple[Any, ...]], predicate: Any, described: list[str], report: DryRunReport
) -> None:
    """Events the engine reads through a subject expander (weather): one evaluation per subject, as live.

    All events are expanded in one batch, so the query count does not grow with the events replayed."""
    by_pk = DomainEvent.objects.in_bulk([row[0] for row in events])
    subjects = expand_events(trigger, [by_pk[row[0]] for row in events])
    for event_pk, _, _, occurred_at, _ in events:
        for found in subjects.get(event_pk, []):
            report.evaluated += 1
            try:
                matched = predicate(make_lookup(found.context))
            except Exception as error:  # noqa: BLE001  reported, as the evaluator would log it
                report.errors.append(f"{found.subject_type}#{found.subject_id}: {error}")
                continue
            if not matched:
                continue
            report.matched += 1
            name = found.label or found.subject_id
            report.documents.append(TouchedDocument(found.subject_type, found.subject_id, name, None, event_pk, occurred_at))
            report.actions += [f"{name}: {text}" for text in described]


# --- conflicts -----------------------------------------------------------------------------------------------


def _pinned(tree: dict[str, Any]) -> dict[str, Any]:
    """Fields the condition requires to equal one value (top-level `all` leaves, or a lone leaf)."""
    children = tree.get("all", [tree]) if "field" in tree or "all" in tree else []
    return {leaf["field"]: leaf["value"] for leaf in children if leaf.get("op") == "eq" and "field" in leaf}


def _may_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    pinned_a, pinned_b = _pinned(a), _pinned(b)
    return all(pinned_a[path] == pinned_b[path] for path in pinned_a.keys() & pinned_b.keys())


def _verdict(actions: Sequence[dict[str, Any]]) -> str:
    kinds = {action["type"] for action in actions}
    return "block" if "block" in kinds else "require_approval" if "require_approval" in kinds else "none"


def _contradictions(mine: Sequence[dict[str, Any]], theirs: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    their_sets = {a["field"]: a["value"] for a in theirs if a["type"] == "set_field"}
    for action in mine:
        if action["type"] == "set_field" and action["field"] in their_sets and their_sets[action["field"]] != action["value"]:
            found.append(("set_field", f"{action['field']}: {action['value']} vs {their_sets[action['field']]}"))
    verdicts = (_verdict(mine), _verdict(theirs))
    if verdicts[0] != verdicts[1] and "block" in verdicts:
        found.append(("verdict", f"{verdicts[0]} vs {verdicts[1]}"))
    return found


def find_conflicts(rule_or_draft: Rule | RuleVersion | Draft) -> list[Conflict]:
    """Active rules on the same trigger whose actions contradict this one's where their conditions may overlap."""
    draft = as_draft(rule_or_draft)
    others = Rule.objects.filter(trigger=draft.trigger, active=True, current_version__isnull=False).select_related(
        "current_version"
    )
    if draft.rule_id is not None:
        others = others.exclude(pk=draft.rule_id)
    conflicts: list[Conflict] = []
    for other in others.order_by("priority", "pk"):
        version = other.current_version
        assert version is not None  # filtered above
        if not _may_overlap(draft.condition, version.condition):
            continue
        found = _contradictions(draft.actions, version.actions)
        conflicts += [Conflict(other.pk, other.name, kind, detail) for kind, detail in found]
    return conflicts
