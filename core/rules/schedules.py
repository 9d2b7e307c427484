"""Scheduled rules: `cron:<minute hour day-of-month month day-of-week>` triggers, run per tenant by the beat.

The expression is parsed by Celery's own crontab (the library already runs the beat), in the tenant's time zone
(settings.TIME_ZONE, Asia/Shanghai by default). Day of week is 0–6 with 0 = Sunday, or names (mon-fri). Unlike
classic cron, a day-of-month and a day-of-week given together must both match.

Every minute the beat fans `run_scheduled_rules` out to every tenant. A run looks back CATCH_UP for slots it
has not run yet, so a late or skipped beat still runs them; the unique (rule version, slot) row of
ScheduledRuleRun makes each slot run once however many workers overlap. A version only runs slots after the
moment it was saved, so an edit never replays a slot its previous version already ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from celery.schedules import crontab
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.rules.evaluator import CompiledRule, EvaluationResult, evaluate, load_rules
from core.rules.exceptions import RuleError, RuleErrorCode
from core.rules.models import Rule, RuleVersion, ScheduledRuleRun
from core.rules.transitions import calendar_context

PREFIX = "cron:"
CATCH_UP = dt.timedelta(minutes=10)
_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def parse_schedule(expression: str) -> crontab:
    """A five-field cron expression as a Celery crontab; a clear RuleError when it is not one."""
    fields = expression.split()
    if len(fields) != 5:
        raise RuleError(
            "A schedule is 'cron:' and five fields: minute hour day-of-month month day-of-week",
            field="trigger",
            code=RuleErrorCode.INVALID_SCHEDULE,
        )
    try:
        return crontab(**dict(zip(_FIELDS, fields, strict=True)))
    except (ValueError, TypeError) as error:
        raise RuleError(
            f"Invalid schedule '{expression}': {error}", field="trigger", code=RuleErrorCode.INVALID_SCHEDULE
        ) from None


def slots(schedule: crontab, after: dt.datetime, until: dt.datetime) -> Iterator[dt.datetime]:
    """The schedule's minutes in (after, until], as aware local times; the window is minutes long, so walk it."""
    minute = timezone.localtime(after).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    end = timezone.localtime(until)
    while minute <= end:
        cron_weekday = (minute.weekday() + 1) % 7  # cron counts from Sunday = 0
        if (
            minute.minute in schedule.minute
            and minute.hour in schedule.hour
            and minute.day in schedule.day_of_month
            and minute.month in schedule.month_of_year
            and cron_weekday in schedule.day_of_week
        ):
            yield minute
        minute += dt.timedelta(minutes=1)


@dataclass
class ScheduledOutcome:
    rule_id: int
    slot: dt.datetime
    result: EvaluationResult


def _claim(version_id: int, slot: dt.datetime) -> bool:
    """Insert the (version, slot) row; False when another run already has it (get_or_create settles a concurrent
    insert through the unique key in a savepoint of its own)."""
    return ScheduledRuleRun.objects.get_or_create(version_id=version_id, slot=slot)[1]


def run_scheduled_rules(now: dt.datetime | None = None) -> list[ScheduledOutcome]:
    """Run every active scheduled rule of the current tenant for each of its slots due since CATCH_UP ago."""
    now = now or timezone.now()
    triggers = (
        Rule.objects.filter(trigger__startswith=PREFIX, active=True, current_version__isnull=False)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=now), Q(active_until__isnull=True) | Q(active_until__gt=now))
        .values_list("trigger", flat=True)
        .distinct()
    )
    outcomes: list[ScheduledOutcome] = []
    for trigger in sorted(triggers):
        due_slots = list(slots(parse_schedule(trigger[len(PREFIX) :]), now - CATCH_UP, now))
        if not due_slots:  # most minutes, for an hourly or daily rule: no rule to load
            continue
        compiled = load_rules(trigger, now)
        saved = dict(RuleVersion.objects.filter(pk__in=[r.version_id for r in compiled]).values_list("pk", "created_at"))
        for slot in due_slots:
            outcomes += _run_slot(trigger, compiled, saved, slot)
    return outcomes


def _run_slot(
    trigger: str, compiled: list[CompiledRule], saved: dict[int, dt.datetime], slot: dt.datetime
) -> list[ScheduledOutcome]:
    # One transaction: the claims commit with the actions' effects, so a run that dies leaves the slot unclaimed.
    with transaction.atomic():
        due = [rule for rule in compiled if saved[rule.version_id] <= slot and _claim(rule.version_id, slot)]
        if not due:
            return []
        stamp = slot.strftime("%Y-%m-%dT%H:%M%z")
        result = evaluate(
            trigger,
            {"calendar": calendar_context(slot.date()), "schedule": {"slot": slot}},
            {"type": "schedule", "id": stamp},
            f"cron:{stamp}",
            rules=due,
        )
    return [ScheduledOutcome(rule.rule_id, slot, result) for rule in due]
