"""The evaluator: for an event, run every active rule on its trigger over a context, apply the actions, audit it.

Compiled trees are cached per (schema, version id): versions are immutable, so the cache never goes stale. The
active-rule lookup is one indexed query per event, so an edit in another process is seen on the next event.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from core.rules import handlers as _builtin_handlers  # noqa: F401  registers the built-in action handlers
from core.rules.actions import VERDICT_ACTIONS, ActionContext, ActionFailed, handler_for
from core.rules.catalog import catalog
from core.rules.conditions import MISSING, Predicate, compile_tree
from core.rules.models import Rule, RuleActionLog, RuleEvaluation, RuleVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompiledRule:
    rule_id: int
    name: str
    priority: int
    version_id: int
    version_number: int
    predicate: Predicate
    actions: tuple[dict[str, Any], ...]


@dataclass
class ActionOutcome:
    rule_id: int
    version_number: int
    index: int
    type: str
    status: str  # done, failed, duplicate
    detail: str = ""


@dataclass
class EvaluationResult:
    event_type: str
    event_id: str
    subject_type: str
    subject_id: str
    rules_evaluated: int = 0
    matched: list[tuple[int, str, int]] = field(default_factory=list)  # (rule id, name, version number)
    actions: list[ActionOutcome] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration_us: int = 0
    # The audit rows written for this evaluation; a vetoed transition rolls them back and writes them again.
    audit_rows: list[RuleEvaluation] = field(default_factory=list, repr=False)

    @property
    def blocked(self) -> bool:
        return any(v["type"] == "block" for v in self.verdicts)

    @property
    def approvals_required(self) -> list[dict[str, Any]]:
        return [v for v in self.verdicts if v["type"] == "require_approval"]

    @property
    def stops_transition(self) -> bool:
        """Only block and require_approval stop a transition; every other action is a side effect."""
        return bool(self.verdicts)

    def reasons(self) -> list[str]:
        return [f"{v['rule']}: {v.get('reason') or v['type']}" for v in self.verdicts]


Row = tuple[CompiledRule, bool, list[str], int]  # rule, matched, condition errors, condition time (ns)
Taken = dict[int, tuple[list[ActionOutcome], int]]  # version id → action outcomes, action time (ns)


# --- context ------------------------------------------------------------------------------------------------


def make_lookup(context: Mapping[str, Any] | Callable[[str], Any] | Any) -> Callable[[str], Any]:
    """A memoised dotted-path resolver over a dict, an object, or a callable returning MISSING when it cannot."""
    if callable(context) and not isinstance(context, Mapping):
        resolve = context
    else:

        def resolve(path: str) -> Any:
            value = context
            for part in catalog.source_path(path).split("."):
                value = value.get(part, MISSING) if isinstance(value, Mapping) else getattr(value, part, MISSING)
                if value is MISSING or value is None:
                    return MISSING
            return value

    memo: dict[str, Any] = {}

    def lookup(path: str) -> Any:
        try:
            return memo[path]
        except KeyError:
            try:
                value = resolve(path)
            except Exception:
                logger.exception("rules: resolving %s failed", path)
                value = MISSING
            memo[path] = value
            return value

    return lookup


# --- the active rule set -------------------------------------------------------------------------------------

_compiled: dict[tuple[str, int], tuple[Predicate, tuple[dict[str, Any], ...], int]] = {}


def load_rules(event_type: str, now: Any = None) -> list[CompiledRule]:
    """The active rules for a trigger, in priority order, with their current versions compiled (cached)."""
    now = now or timezone.now()
    rows = list(
        Rule.objects.filter(trigger=event_type, active=True, current_version__isnull=False)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=now), Q(active_until__isnull=True) | Q(active_until__gt=now))
        .order_by("priority", "pk")
        .values_list("pk", "name", "priority", "current_version_id")
    )
    schema: str = getattr(connection, "schema_name", "public")
    missing = [version_id for _, _, _, version_id in rows if (schema, version_id) not in _compiled]
    if missing:
        for version in RuleVersion.objects.filter(pk__in=missing).only("pk", "number", "condition", "actions"):
            _compiled[(schema, version.pk)] = (compile_tree(version.condition), tuple(version.actions), version.number)
    result = []
    for rule_id, name, priority, version_id in rows:
        predicate, actions, number = _compiled[(schema, version_id)]
        result.append(CompiledRule(rule_id, name, priority, version_id, number, predicate, actions))
    return result


def subject_identity(subject: Any) -> tuple[str, str]:
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk or "")
    if isinstance(subject, Mapping):
        return str(subject.get("type", "")), str(subject.get("id", ""))
    return "", ""


# --- evaluation ----------------------------------------------------------------------------------------------


def evaluate(
    event_type: str,
    context: Mapping[str, Any] | Callable[[str], Any] | Any,
    subject: Any = None,
    event_id: str = "",
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    rules: list[CompiledRule] | None = None,
    audit: bool = True,
) -> EvaluationResult:
    """Run the active rules for `event_type`; `rules` may be preloaded with load_rules() to skip the lookup query."""
    started = time.perf_counter_ns()
    default_type, default_id = subject_identity(subject)
    result = EvaluationResult(event_type, event_id or uuid.uuid4().hex, subject_type or default_type, subject_id or default_id)
    rules = load_rules(event_type) if rules is None else rules
    lookup = make_lookup(context)
    matched_rules: list[CompiledRule] = []
    rows: list[Row] = []
    for rule in rules:
        rule_started = time.perf_counter_ns()
        errors: list[str] = []
        try:
            matched = rule.predicate(lookup)
        except Exception as error:
            logger.exception("rules: evaluating %s failed", rule.name)
            matched, errors = False, [f"condition: {error}"]
        if matched:
            matched_rules.append(rule)
            result.matched.append((rule.rule_id, rule.name, rule.version_number))
        rows.append((rule, matched, errors, time.perf_counter_ns() - rule_started))
    result.rules_evaluated = len(rules)
    if matched_rules or (audit and rows):
        with transaction.atomic():  # the claims, the actions' writes and the audit rows commit together
            taken = _run_actions(matched_rules, subject, lookup, result) if matched_rules else {}
            if audit:
                _write_audit(rows, taken, result)
    result.errors.extend(error for _, _, errors, _ in rows for error in errors)
    result.errors.extend(
        f"{outcome.type} action {outcome.index} of rule {outcome.rule_id}: {outcome.detail}"
        for outcome in result.actions
        if outcome.status == "failed"
    )
    result.duration_us = (time.perf_counter_ns() - started) // 1000
    return result


def _write_audit(rows: list[Row], taken: Taken, result: EvaluationResult) -> None:
    audit_rows = []
    for rule, matched, errors, duration_ns in rows:
        outcomes, action_ns = taken.get(rule.version_id, ([], 0))
        audit_rows.append(
            RuleEvaluation(
                version_id=rule.version_id,
                event_id=result.event_id,
                event_type=result.event_type,
                subject_type=result.subject_type,
                subject_id=result.subject_id,
                matched=matched,
                actions_taken=[{"index": o.index, "type": o.type, "status": o.status, "detail": o.detail} for o in outcomes],
                errors=errors + [f"action {o.index} ({o.type}): {o.detail}" for o in outcomes if o.status == "failed"],
                duration_us=(duration_ns + action_ns) // 1000,
            )
        )
    RuleEvaluation.objects.bulk_create(audit_rows)  # one INSERT per event, not one per rule
    result.audit_rows = audit_rows


def _claim(rules: list[CompiledRule], result: EvaluationResult) -> dict[tuple[int, int], RuleActionLog]:
    """Insert one log row per (version, action) for this subject and event; rows that exist are returned locked.

    The unique constraint on (version, subject, event, action) is the idempotency key: a redelivered event finds
    its rows already there; a concurrent delivery waits on them and then sees their final status.
    """
    table = connection.ops.quote_name(RuleActionLog._meta.db_table)
    now = timezone.now()
    values, params = [], []
    for rule in rules:
        for index, action in enumerate(rule.actions):
            values.append("(%s, %s, %s, %s, %s, %s, 'running', 1, '', %s, %s)")
            params += [rule.version_id, result.subject_type, result.subject_id, result.event_id, index, action["type"], now, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (version_id, subject_type, subject_id, event_id, action_index, action_type, status, "
            f"attempts, detail, created_at, updated_at) VALUES {', '.join(values)} "
            "ON CONFLICT (version_id, subject_type, subject_id, event_id, action_index) DO NOTHING "
            "RETURNING id, version_id, action_index",
            params,
        )
        claimed = {(version_id, index): RuleActionLog(pk=pk, version_id=version_id, action_index=index, attempts=1, status="")
                   for pk, version_id, index in cursor.fetchall()}  # fmt: skip
    wanted = sum(len(rule.actions) for rule in rules)
    if len(claimed) < wanted:
        existing = RuleActionLog.objects.select_for_update().filter(
            subject_type=result.subject_type,
            subject_id=result.subject_id,
            event_id=result.event_id,
            version_id__in=[rule.version_id for rule in rules],
        )
        for log in existing.order_by("pk"):
            claimed.setdefault((log.version_id, log.action_index), log)
    return claimed


def _run_actions(rules: list[CompiledRule], subject: Any, lookup: Callable[[str], Any], result: EvaluationResult) -> Taken:
    claims = _claim(rules, result)
    taken: Taken = {}
    for rule in rules:
        started = time.perf_counter_ns()
        ctx = ActionContext(
            subject=subject,
            lookup=lookup,
            rule_id=rule.rule_id,
            rule_name=rule.name,
            version_id=rule.version_id,
            event_type=result.event_type,
            event_id=result.event_id,
            subject_type=result.subject_type,
            subject_id=result.subject_id,
        )
        outcomes = [
            _run_action(rule, index, action, ctx, claims[(rule.version_id, index)]) for index, action in enumerate(rule.actions)
        ]
        result.actions.extend(outcomes)
        result.verdicts.extend(ctx.verdicts)
        taken[rule.version_id] = (outcomes, time.perf_counter_ns() - started)
    changed = [log for log in claims.values() if log.status != ""]
    for log in changed:
        log.updated_at = timezone.now()
    RuleActionLog.objects.bulk_update(changed, ["status", "detail", "attempts", "updated_at"])
    return taken


def _run_action(rule: CompiledRule, index: int, action: dict[str, Any], ctx: ActionContext, log: RuleActionLog) -> ActionOutcome:
    kind = action["type"]
    outcome = ActionOutcome(rule.rule_id, rule.version_number, index, kind, "done")
    if log.status:  # the row existed before this delivery (a fresh claim has no status loaded)
        # Verdicts are not side effects: a redelivered event must still be blocked, so they always run.
        if log.status != RuleActionLog.Status.FAILED and kind not in VERDICT_ACTIONS:
            outcome.status, outcome.detail = "duplicate", f"already {log.status} for event {ctx.event_id}"
            log.status = ""  # unchanged: nothing to write back
            return outcome
        log.attempts += 1
    handler = handler_for(kind)
    try:
        if handler is None:
            raise ActionFailed(f"no handler is registered for {kind}")
        with transaction.atomic():  # a failing handler's database writes roll back with it
            outcome.detail = handler(action, ctx)
        log.status = RuleActionLog.Status.DONE
    except Exception as error:  # noqa: BLE001  any handler failure is logged on the row, never raised into the event
        logger.warning("rules: %s action %s of %s failed: %s", kind, index, rule.name, error)
        outcome.status, outcome.detail = "failed", str(error)
        log.status = RuleActionLog.Status.FAILED
    log.detail = outcome.detail[:2000]
    return outcome
