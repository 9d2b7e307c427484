"""Scheduled rules: cron triggers checked at save, run per tenant by the dispatcher, once per version and slot."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.rules import services
from core.rules.exceptions import RuleError
from core.rules.models import Rule, RuleNotification, RuleVersion, ScheduledRuleRun
from core.rules.schedules import parse_schedule, run_scheduled_rules, slots
from core.tasks import dispatch_to_tenants

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTIFY = [{"type": "notify", "role": "manager", "message": "盘点提醒"}]
ALWAYS = {"field": "calendar.date", "op": "gt", "value": "2000-01-01"}


def _scheduled(name: str, cron: str) -> Rule:
    return services.create_rule(name=name, trigger=f"cron:{cron}", condition={"not": ALWAYS}, actions=NOTIFY)


@pytest.mark.parametrize(
    "cron",
    ["61 * * * *", "0 24 * * *", "0 8 32 * *", "0 8 * 13 *", "0 8 * * 8", "0 8 * *", "0 8 * * * *", "every day", "*/0 * * * *"],
)
def test_a_broken_schedule_cannot_be_saved(in_alpha, cron):
    # when / then
    with pytest.raises(RuleError) as caught:
        _scheduled("broken", cron)
    assert caught.value.code == "INVALID_SCHEDULE"
    assert not Rule.objects.filter(name="broken").exists()


def test_a_schedule_is_stored_in_canonical_spacing(in_alpha):
    assert _scheduled("weekdays", "0  8 * *   mon-fri").trigger == "cron:0 8 * * mon-fri"


def test_slots_follow_cron_in_the_tenant_zone():
    # given: every quarter hour from 8 to 18 on weekdays
    schedule = parse_schedule("*/15 8-18 * * mon-fri")
    monday = dt.datetime(2026, 11, 23, 7, 50, tzinfo=SHANGHAI)
    saturday = dt.datetime(2026, 11, 28, 7, 50, tzinfo=SHANGHAI)

    # when
    weekday_slots = list(slots(schedule, monday, monday + dt.timedelta(minutes=41)))
    weekend_slots = list(slots(schedule, saturday, saturday + dt.timedelta(hours=3)))

    # then
    assert [(s.hour, s.minute) for s in weekday_slots] == [(8, 0), (8, 15), (8, 30)]
    assert weekend_slots == []


def test_sunday_is_day_zero():
    schedule = parse_schedule("0 9 * * 0")
    sunday = dt.datetime(2026, 11, 29, 8, 0, tzinfo=SHANGHAI)
    assert [s.date().isoformat() for s in slots(schedule, sunday, sunday + dt.timedelta(hours=2))] == ["2026-11-29"]


def test_a_slot_runs_once_however_often_the_dispatcher_comes(in_alpha):
    # given: a rule for the minute two minutes from now
    slot = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    rule = services.create_rule(
        name="count",
        trigger=f"cron:{slot.minute} {slot.hour} * * *",
        condition=ALWAYS,
        actions=NOTIFY,
    )

    # when: three beats around it
    early = run_scheduled_rules(now=slot - dt.timedelta(seconds=30))
    on_time = run_scheduled_rules(now=slot + dt.timedelta(seconds=20))
    late = run_scheduled_rules(now=slot + dt.timedelta(minutes=3))

    # then
    assert early == [] and late == []
    assert [(o.rule_id, o.slot) for o in on_time] == [(rule.pk, slot)]
    note = RuleNotification.objects.get()
    assert note.message == "盘点提醒" and note.subject_type == "schedule"
    assert ScheduledRuleRun.objects.get().version_id == rule.current_version_id


def test_a_missed_beat_is_caught_up_and_a_false_condition_acts_not(in_alpha):
    # given: every minute; the worker was down for four minutes
    rule = _scheduled("never", "* * * * *")  # its condition is never true
    every = services.create_rule(name="every", trigger="cron:* * * * *", condition=ALWAYS, actions=NOTIFY)
    now = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=4, seconds=10)

    # when
    outcomes = run_scheduled_rules(now=now)

    # then: four slots for each rule, four notifications from the one that matched
    assert sum(1 for o in outcomes if o.rule_id == every.pk) == 4
    assert sum(1 for o in outcomes if o.rule_id == rule.pk) == 4
    assert RuleNotification.objects.count() == 4


def test_an_edit_does_not_replay_a_slot_the_earlier_version_ran(in_alpha):
    # given: a rule saved five minutes ago that ran the last minute's slot
    rule = services.create_rule(name="edited", trigger="cron:* * * * *", condition=ALWAYS, actions=NOTIFY)
    RuleVersion.objects.filter(pk=rule.current_version_id).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    now = timezone.now()
    ran = run_scheduled_rules(now=now)

    # when: edited, and the beat comes again at the same moment
    services.update_rule(rule, condition=ALWAYS, actions=[{**NOTIFY[0], "message": "新提醒"}], actor="a@x.cn", reason="wording")
    again = run_scheduled_rules(now=now)

    # then
    assert len(ran) >= 5 and again == []
    assert not RuleNotification.objects.filter(message="新提醒").exists()


def test_an_inactive_scheduled_rule_does_not_run(in_alpha):
    rule = services.create_rule(name="off", trigger="cron:* * * * *", condition=ALWAYS, actions=NOTIFY)
    services.deactivate_rule(rule)
    assert run_scheduled_rules(now=timezone.now() + dt.timedelta(minutes=3)) == []


def test_the_beat_dispatcher_runs_scheduled_rules_in_a_real_worker(celery_worker, committed_tenant):
    # given: an every-minute rule in a committed tenant, saved three minutes ago
    with schema_context(committed_tenant.schema):
        rule = services.create_rule(name="worker", trigger="cron:* * * * *", condition=ALWAYS, actions=NOTIFY)
        RuleVersion.objects.filter(pk=rule.current_version_id).update(created_at=timezone.now() - dt.timedelta(minutes=3))

    # when: the beat's entry fans the job out to every tenant
    dispatch_to_tenants.delay("core.rules.tasks.run_scheduled_rules")

    # then: the worker ran the due slots in this tenant's schema, and running again adds no slot twice
    def notified() -> int:
        with schema_context(committed_tenant.schema):
            return RuleNotification.objects.count()

    celery_worker.wait_for(notified, timeout=60)
    with schema_context(committed_tenant.schema):
        run_scheduled_rules()
        subjects = list(RuleNotification.objects.values_list("subject_id", flat=True))
        assert len(subjects) == len(set(subjects)) == ScheduledRuleRun.objects.count() >= 3


def test_a_dry_run_of_a_scheduled_rule_lists_the_slots_it_would_have_acted_on(in_alpha):
    # given: a weekday-morning reminder, dry-run over the week of Mon 23 – Sun 29 Nov 2026
    from core.rules.dryrun import Draft, dry_run

    draft = Draft("cron:30 8 * * mon-fri", ALWAYS, NOTIFY)
    now = dt.datetime(2026, 11, 29, 23, 0, tzinfo=SHANGHAI)

    # when
    report = dry_run(draft, days=7, now=now)

    # then: five slots, each would have notified, nothing written
    assert (report.evaluated, report.matched) == (5, 5)
    assert [d.number for d in report.documents][:2] == ["2026-11-23 08:30", "2026-11-24 08:30"]
    assert not RuleNotification.objects.exists() and not ScheduledRuleRun.objects.exists()
