"""Roster a week (排班): covers forecast per outlet × hour from POS tickets, the region's labour rules, the
CP-SAT solve, and the stored shifts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from verticals.restaurant import events
from verticals.restaurant.exceptions import InfeasibleSchedule, InvalidScheduleInput
from verticals.restaurant.models import LabourRegion, Outlet, PosTicketLine, ScheduledShift, StaffMember, TicketLineKind
from verticals.restaurant.scheduling import (
    LabourRules,
    Schedule,
    ScheduleInfeasible,
    Staff,
    covers_to_needs,
    solve_schedule,
)

# Covers one person of a role serves in an hour (a cook plates for ~25 guests, a server looks after ~15).
COVERS_PER_STAFF = {"chef": 25.0, "server": 15.0, "cashier": 60.0}
ROLE_MINIMUM = {"manager": 1}  # someone in charge whenever guests are in
WEEKS_OF_HISTORY = 4
STANDARD_WEEK_HOURS = 40  # 标准工时: hours past it are overtime (加班), even under the region's legal limit

BLOCKING_TEXT = {
    "weekly_hours_limit": gettext_lazy("the weekly hours limit"),
    "legal_rest": gettext_lazy("the legal rest between shifts"),
    "max_days_per_week": gettext_lazy("the maximum working days per week"),
    "min_contract_hours": gettext_lazy("staff's contracted minimum hours"),
    "time_limit": gettext_lazy("the solver's time limit (no roster found in time)"),
}


def region_rules(code: str) -> LabourRules:
    row = LabourRegion.objects.filter(code=code).first()
    if row is None:
        return LabourRules()
    return LabourRules(
        max_weekly_hours=row.max_weekly_hours,
        min_rest_hours=row.min_rest_hours,
        max_shift_hours=row.max_shift_hours,
        fatigue_after_hours=row.fatigue_after_hours,
        max_days_per_week=row.max_days_per_week,
    )


def covers_forecast(outlet: Outlet, week_start: date) -> dict[tuple[str, int, int], float]:
    """Covers (tickets) per weekday and hour: the mean of the same weekday and hour over the last four weeks."""
    since = week_start - timedelta(weeks=WEEKS_OF_HISTORY)
    rows = (
        PosTicketLine.objects.filter(
            outlet=outlet, kind=TicketLineKind.SALE, sold_at__date__gte=since, sold_at__date__lt=week_start
        )
        .annotate(on=TruncDate("sold_at"), hour=ExtractHour("sold_at"))
        .values("on", "hour")
        .annotate(tickets=Count("ticket_no", distinct=True))
    )
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for row in rows:
        totals[row["on"].weekday(), row["hour"]] += row["tickets"]
    return {
        (outlet.code, (weekday - week_start.weekday()) % 7, hour): total / WEEKS_OF_HISTORY
        for (weekday, hour), total in totals.items()
    }


@transaction.atomic
def plan_week(outlet_ids: Sequence[int], week_start: date, *, time_limit_s: float = 8.0, actor: str = "system") -> Schedule:
    """Solve and store the roster of `week_start` … +6 for the outlets (their shifts that week are replaced).

    An infeasible week raises InfeasibleSchedule naming the labour rule that blocks it."""
    outlets = list(Outlet.objects.select_related("store").filter(pk__in=outlet_ids))
    if not outlets:
        raise InvalidScheduleInput(_("Choose at least one outlet."))
    regions = {outlet.region for outlet in outlets}
    if len(regions) > 1:
        raise InvalidScheduleInput(_("Plan outlets of one labour region at a time."))
    rules = region_rules(regions.pop())
    members = list(StaffMember.objects.filter(outlet__in=outlets, active=True).select_related("outlet__store"))
    staff = [Staff(str(m.pk), m.outlet.code, frozenset(m.roles), m.min_weekly_hours, m.max_weekly_hours) for m in members]
    covers: dict[tuple[str, int, int], float] = {}
    for outlet in outlets:
        covers.update(covers_forecast(outlet, week_start))
    needs = covers_to_needs(covers, COVERS_PER_STAFF, ROLE_MINIMUM)
    try:
        schedule = solve_schedule(staff, needs, rules=rules, time_limit_s=time_limit_s)
    except ScheduleInfeasible as error:
        names = _(", ").join(str(BLOCKING_TEXT.get(name, name)) for name in error.blocking)
        raise InfeasibleSchedule(_("No roster satisfies %(rules)s.") % {"rules": names}, ",".join(error.blocking)) from error
    ScheduledShift.objects.filter(staff__in=members, day__gte=week_start, day__lt=week_start + timedelta(days=7)).delete()
    ScheduledShift.objects.bulk_create(
        ScheduledShift(
            staff_id=int(shift.staff),
            day=week_start + timedelta(days=shift.day),
            start_hour=shift.start,
            end_hour=shift.end,
            role=shift.role,
        )
        for shift in schedule.shifts
    )
    _announce(schedule, outlets, week_start, rules, actor)
    return schedule


def _announce(schedule: Schedule, outlets: Sequence[Outlet], week_start: date, rules: LabourRules, actor: str) -> None:
    """`restaurant.schedule_solved` for the roster (unmet slots, overtime past the standard week, fatigue)
    and for each person on it (weekly hours, the longest shift, the shortest rest between two shifts)."""
    by_staff: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for shift in schedule.shifts:
        by_staff[shift.staff].append((shift.day, shift.start, shift.end))
    people = []
    overtime = 0
    for key, worked in sorted(by_staff.items()):
        worked.sort()
        weekly = sum(end - start for _day, start, end in worked)
        overtime += max(0, weekly - STANDARD_WEEK_HOURS)
        rests = [(d2 - d1) * 24 + s2 - e1 for (d1, _s1, e1), (d2, s2, _e2) in pairwise(worked)]
        values = {"weekly_hours": weekly, "consecutive_hours": max(end - start for _day, start, end in worked)}
        if rests:
            values["rest_hours"] = min(rests)
        people.append((int(key), values))
    summary = {
        "unmet_slots": len(schedule.unmet),
        "overtime_hours": overtime,
        "fatigue_penalty": schedule.fatigue_penalty,
        "region_weekly_limit": rules.max_weekly_hours,
    }
    events.schedule_solved([o.pk for o in outlets], week_start, summary, people, actor=actor)
