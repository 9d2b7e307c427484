"""Staff scheduling with CP-SAT: coverage from covers, skills, fatigue, rest, weekly limits, the blocking
rule named when infeasible, and the GraphQL/page edges gated by the module."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
from verticals.restaurant.demo import build_hotpot_chain
from verticals.restaurant.models import LabourRegion, ScheduledShift, StaffMember
from verticals.restaurant.scheduling import (
    LabourRules,
    Need,
    ScheduleInfeasible,
    Staff,
    covers_to_needs,
    solve_schedule,
)

from .support import data, gql


def test_covers_become_staff_per_role_and_hour():
    needs = covers_to_needs({("A", 0, 12): 40, ("A", 0, 15): 0}, {"chef": 25, "server": 15}, {"manager": 1})
    assert {(n.hour, n.role): n.count for n in needs} == {(12, "chef"): 2, (12, "server"): 3, (12, "manager"): 1}


def test_a_roster_covers_demand_within_the_rules_and_explains_what_it_cannot():
    # given: two chefs, demand for three at lunch; a server nobody can cover
    staff = [
        Staff("c1", "A", frozenset({"chef"})),
        Staff("c2", "A", frozenset({"chef"})),
        Staff("w1", "A", frozenset({"server"})),
    ]
    needs = [Need("A", d, h, "chef", 3 if h in (11, 12) else 1) for d in range(7) for h in range(10, 22)]
    needs += [Need("A", 0, 12, "bartender", 1)]
    rules = LabourRules(max_weekly_hours=40, max_shift_hours=10, fatigue_after_hours=8)
    # when
    schedule = solve_schedule(staff, needs, rules=rules, time_limit_s=5)
    # then: the hard rules hold
    hours = {}
    for shift in schedule.shifts:
        assert shift.hours <= 10 and shift.role == "chef"
        hours[shift.staff] = hours.get(shift.staff, 0) + shift.hours
    assert all(total <= 40 for total in hours.values())
    assert len({(s.staff, s.day) for s in schedule.shifts}) == len(schedule.shifts)  # one shift a day
    # and every unmet slot says why
    reasons = {(slot.role, slot.hour, slot.day): slot.reason for slot in schedule.unmet}
    assert reasons[("bartender", 12, 0)] == "门店 A 没有会「bartender」岗位的员工"  # zh-hans, the default
    with translation.override("en"):
        english = solve_schedule(staff, needs, rules=rules, time_limit_s=5)
    assert {slot.reason for slot in english.unmet if slot.role == "bartender"} == {"no staff at A has the skill bartender"}
    assert schedule.unmet and all(slot.reason for slot in schedule.unmet)
    assert schedule.broken_soft_constraints >= len(schedule.unmet)


def test_an_infeasible_week_names_the_blocking_rule():
    staff = [Staff("a", "A", frozenset({"chef"}), min_weekly_hours=50)]
    with pytest.raises(ScheduleInfeasible) as refused:
        solve_schedule(staff, [Need("A", 0, 10, "chef", 1)], rules=LabourRules(max_weekly_hours=44), time_limit_s=5)
    assert refused.value.blocking == ["min_contract_hours", "weekly_hours_limit"]


def test_rest_between_shifts_is_kept_for_late_closers():
    # closing at 23:00 and opening at 07:00 leaves 8 h: with 11 h rest nobody closes and opens next day
    staff = [Staff("a", "A", frozenset({"chef"}))]
    needs = [Need("A", d, h, "chef", 1) for d in range(2) for h in (7, 22)]
    schedule = solve_schedule(
        staff, needs, rules=LabourRules(min_rest_hours=11, max_shift_hours=4), open_hour=7, close_hour=23, days=2, time_limit_s=5
    )
    by_day = {s.day: s for s in schedule.shifts}
    if 0 in by_day and 1 in by_day:
        assert 24 - by_day[0].end + by_day[1].start >= 11


PLAN = """
mutation($outlets: [ID!]!, $week: Date!) {
  planStaffSchedule(outletIds: $outlets, weekStart: $week) {
    schedule { objective brokenSoftConstraints shifts { staff role start end } unmet { role reason } }
    errors { field code message }
  }
}
"""


def _staff_the_outlet(info):
    with schema_context(info.schema):
        chain = build_hotpot_chain(outlets=1, prefix="SC")
        outlet = chain.outlets[0]
        LabourRegion.objects.create(code="CN", max_weekly_hours=44)
        for n, roles in enumerate((["chef"], ["chef"], ["server"], ["server", "cashier"], ["manager", "server"], ["manager"])):
            StaffMember.objects.create(outlet=outlet, name=f"员工{n}", roles=roles)
        monday = date(2026, 11, 30)
        tz = ZoneInfo("Asia/Shanghai")
        lines = []
        for week in range(1, 5):  # four weeks of history: lunch at 12:00 with 30 tickets each day
            for day in range(7):
                at = datetime.combine(monday - timedelta(weeks=week, days=-day), datetime.min.time(), tz).replace(hour=12)
                lines += [TicketLineInput(f"W{week}D{day}T{t}", 1, "D-TOFU", 1, at) for t in range(30)]
        ingest_ticket_lines(outlet.pk, lines)
        return outlet, monday


def test_plan_staff_schedule_is_gated_by_the_module_and_stores_the_roster(alpha, module_status):
    outlet, monday = _staff_the_outlet(alpha)
    client = alpha.client()
    module_status(alpha, "restaurant", "disabled")
    refused = gql(client, PLAN, outlets=[str(outlet.pk)], week=monday.isoformat())
    assert refused["data"]["planStaffSchedule"]["errors"][0]["code"] == "MODULE_NOT_ENABLED"
    module_status(alpha, "restaurant", "active")
    body = data(client, PLAN, outlets=[str(outlet.pk)], week=monday.isoformat())["planStaffSchedule"]
    assert body["errors"] == []
    roles = {shift["role"] for shift in body["schedule"]["shifts"]}
    assert {"chef", "server", "manager"} <= roles
    with schema_context(alpha.schema):
        assert ScheduledShift.objects.filter(day__gte=monday, day__lt=monday + timedelta(days=7)).count() == len(
            body["schedule"]["shifts"]
        )


def test_an_infeasible_week_is_a_typed_error_naming_the_rule(alpha, module_status):
    outlet, monday = _staff_the_outlet(alpha)
    with schema_context(alpha.schema):
        StaffMember.objects.filter(outlet=outlet).update(min_weekly_hours=60)
    module_status(alpha, "restaurant", "active")
    body = data(alpha.client(), PLAN, outlets=[str(outlet.pk)], week=monday.isoformat())["planStaffSchedule"]
    assert body["schedule"] is None
    error = body["errors"][0]
    assert error["code"] == "INFEASIBLE_SCHEDULE" and "weekly_hours_limit" in error["field"]
