"""Staff scheduling (人力排班) with OR-Tools CP-SAT: shifts from the covers forecast per outlet and hour,
skills per role, a cap on consecutive hours with a fatigue penalty past a threshold, legal rest between
shifts and weekly hour limits per region.

Pure: plain data in, a roster out. Coverage is soft (an unmet slot costs a lot and is explained); the labour
rules are hard. When they cannot all hold, the solver's assumptions name the rule group that blocks.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

UNMET_WEIGHT = 1000  # an uncovered staff-hour costs more than any fatigue or labour-hour saving
HOUR_WEIGHT = 1  # every scheduled hour costs: no idle staff on the roster


@dataclass(frozen=True)
class LabourRules:
    """A region's rules (configurable per region: 社保工时 rules differ by city and contract)."""

    max_weekly_hours: int = 44
    min_rest_hours: int = 11  # between the end of one shift and the start of the next
    max_shift_hours: int = 10  # the consecutive-hours cap: no shift is longer
    fatigue_after_hours: int = 8  # hours in a row past this carry a penalty
    fatigue_weight: int = 5  # per hour past the threshold
    max_days_per_week: int = 6


@dataclass(frozen=True)
class Staff:
    key: str
    outlet: str
    roles: frozenset[str]  # skills: the roles this person can fill
    min_weekly_hours: int = 0  # contracted minimum
    max_weekly_hours: int | None = None  # below the region's limit for part-timers


@dataclass(frozen=True)
class Need:
    """Staff needed of `role` at `outlet` on `day` (0–6) during hour `hour` (e.g. 11 = 11:00–12:00)."""

    outlet: str
    day: int
    hour: int
    role: str
    count: int


@dataclass(frozen=True)
class Shift:
    staff: str
    outlet: str
    day: int
    start: int
    end: int
    role: str

    @property
    def hours(self) -> int:
        return self.end - self.start


@dataclass
class UnmetSlot:
    outlet: str
    day: int
    hour: int
    role: str
    needed: int
    covered: int
    reason: str


@dataclass
class Schedule:
    shifts: list[Shift]
    unmet: list[UnmetSlot]
    objective: int
    fatigue_penalty: int
    broken_soft_constraints: int  # unmet staff-hours + shifts past the fatigue threshold
    status: str
    seconds: float
    coverage: dict[tuple[str, int, int, str], tuple[int, int]] = field(default_factory=dict)  # (needed, covered)


class ScheduleInfeasible(Exception):
    """The hard rules cannot all hold; `blocking` names the rule group(s) the solver found in conflict."""

    def __init__(self, blocking: list[str]) -> None:
        super().__init__(", ".join(blocking))
        self.blocking = blocking


def covers_to_needs(
    covers: dict[tuple[str, int, int], float], covers_per_staff: dict[str, float], minimum: dict[str, int] | None = None
) -> list[Need]:
    """Staff per role and hour from forecast covers (客流) per (outlet, day, hour): ceil(covers / capacity),
    with a role minimum while the outlet is open (covers > 0)."""
    minimum = minimum or {}
    needs = []
    for (outlet, day, hour), value in sorted(covers.items()):
        if value <= 0:
            continue
        for role in sorted(set(covers_per_staff) | set(minimum)):
            capacity = covers_per_staff.get(role)
            count = max(math.ceil(value / capacity) if capacity else 0, minimum.get(role, 0))
            if count > 0:
                needs.append(Need(outlet, day, hour, role, count))
    return needs


def shift_templates(
    open_hour: int, close_hour: int, rules: LabourRules, lengths: Sequence[int] = (4, 6, 8, 10)
) -> list[tuple[int, int]]:
    """(start, end) shifts inside the opening hours, no longer than the cap, starting every two hours and
    at the latest start that still ends at closing."""
    templates = set()
    for length in lengths:
        if length > rules.max_shift_hours or length > close_hour - open_hour:
            continue
        for start in range(open_hour, close_hour - length + 1, 2):
            templates.add((start, start + length))
        templates.add((close_hour - length, close_hour))
    return sorted(templates)


def solve_schedule(
    staff: Sequence[Staff],
    needs: Sequence[Need],
    *,
    rules: LabourRules,
    days: int = 7,
    open_hour: int = 10,
    close_hour: int = 22,
    time_limit_s: float = 8.0,
    workers: int = 2,
) -> Schedule:
    """One roster for every outlet. Staff work at their own outlet, so each outlet is its own model (five
    small models solve far faster than one large one); the time limit is shared out."""
    started = time.perf_counter()
    outlets = sorted({p.outlet for p in staff} | {n.outlet for n in needs})
    parts: list[Schedule] = []
    for outlet in outlets:
        budget = max(0.5, (time_limit_s - (time.perf_counter() - started)) / max(1, len(outlets) - len(parts)))
        parts.append(
            _solve_outlet(
                [p for p in staff if p.outlet == outlet],
                [n for n in needs if n.outlet == outlet],
                rules=rules,
                days=days,
                open_hour=open_hour,
                close_hour=close_hour,
                time_limit_s=budget,
                workers=workers,
            )
        )
    return Schedule(
        shifts=[sh for part in parts for sh in part.shifts],
        unmet=[slot for part in parts for slot in part.unmet],
        objective=sum(part.objective for part in parts),
        fatigue_penalty=sum(part.fatigue_penalty for part in parts),
        broken_soft_constraints=sum(part.broken_soft_constraints for part in parts),
        status="OPTIMAL" if all(part.status == "OPTIMAL" for part in parts) else "FEASIBLE",
        seconds=time.perf_counter() - started,
        coverage={key: value for part in parts for key, value in part.coverage.items()},
    )


GROUPS = ("weekly_hours_limit", "legal_rest", "max_days_per_week", "min_contract_hours")


def _solve_outlet(
    staff: Sequence[Staff],
    needs: Sequence[Need],
    *,
    rules: LabourRules,
    days: int,
    open_hour: int,
    close_hour: int,
    time_limit_s: float,
    workers: int,
    explain: bool = False,
) -> Schedule:
    """Solve with the labour rules hard; when that is infeasible, solve again with each rule group behind an
    assumption literal, so the solver names the groups that conflict."""
    started = time.perf_counter()
    templates = shift_templates(open_hour, close_hour, rules)
    model = cp_model.CpModel()
    need_at = {(n.outlet, n.day, n.hour, n.role): n.count for n in needs}
    groups = {name: model.new_bool_var(name) for name in GROUPS} if explain else {}

    def rule(constraint: cp_model.Constraint, group: str) -> None:
        if explain:  # behind an assumption literal, so an infeasible model names the group
            constraint.only_enforce_if(groups[group])

    # x[s, d, t]: works template t on day d; y[s, d, t, r]: in role r
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    y: dict[tuple[int, int, int, str], cp_model.IntVar] = {}
    worked_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    cover_terms: dict[tuple[str, int, int, str], list[cp_model.IntVar]] = defaultdict(list)
    hours_terms: list[cp_model.LinearExpr] = []
    fatigue_terms = []
    needed_roles_by_outlet: dict[str, set[str]] = defaultdict(set)
    for n in needs:
        needed_roles_by_outlet[n.outlet].add(n.role)
    for s, person in enumerate(staff):
        roles = sorted(person.roles & needed_roles_by_outlet.get(person.outlet, set()))
        if not roles and person.min_weekly_hours == 0:
            continue
        roles = roles or sorted(person.roles)
        week_hours = []
        worked_days = []
        for d in range(days):
            day_vars = []
            for t, (start, end) in enumerate(templates):
                var = model.new_bool_var(f"x{s}_{d}_{t}")
                x[s, d, t] = var
                day_vars.append(var)
                role_vars = []
                for role in roles:
                    rv = model.new_bool_var(f"y{s}_{d}_{t}_{role}")
                    y[s, d, t, role] = rv
                    role_vars.append(rv)
                    for hour in range(start, end):
                        if (person.outlet, d, hour, role) in need_at:
                            cover_terms[person.outlet, d, hour, role].append(rv)
                model.add(sum(role_vars) == var)
                week_hours.append((end - start) * var)
                if end - start > rules.fatigue_after_hours:
                    fatigue_terms.append((end - start - rules.fatigue_after_hours) * var)
            worked = model.new_bool_var(f"w{s}_{d}")
            worked_vars[s, d] = worked
            model.add(sum(day_vars) == worked)  # at most one shift a day
            worked_days.append(worked)
            if d > 0:  # legal rest between yesterday's end and today's start
                for t1, (_s1, e1) in enumerate(templates):
                    for t2, (s2, _e2) in enumerate(templates):
                        if 24 - e1 + s2 < rules.min_rest_hours:
                            rule(model.add_bool_or([~x[s, d - 1, t1], ~x[s, d, t2]]), "legal_rest")
        limit = min(rules.max_weekly_hours, person.max_weekly_hours or rules.max_weekly_hours)
        rule(model.add(sum(week_hours) <= limit), "weekly_hours_limit")
        rule(model.add(sum(worked_days) <= rules.max_days_per_week), "max_days_per_week")
        if person.min_weekly_hours:
            rule(model.add(sum(week_hours) >= person.min_weekly_hours), "min_contract_hours")
        hours_terms.extend(week_hours)
    unmet_vars = {}
    for key, count in need_at.items():
        short = model.new_int_var(0, count, f"u{key}")
        unmet_vars[key] = short
        model.add(sum(cover_terms.get(key, [])) + short >= count)
    fatigue = sum(fatigue_terms) * rules.fatigue_weight if fatigue_terms else 0
    model.minimize(UNMET_WEIGHT * sum(unmet_vars.values()) + fatigue + HOUR_WEIGHT * sum(hours_terms))
    if not explain:
        hint = _hint_greedy_roster(model, staff, need_at, templates, rules, days, x, y, unmet_vars, worked_vars)
    else:
        hint = {}
    if explain:
        model.add_assumptions(list(groups.values()))
    solver = cp_model.CpSolver()
    solver.parameters.cp_model_presolve = explain  # presolve costs more than it saves on these small models
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1 if explain else workers  # core extraction needs the single-worker search
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE and not explain:
        return _solve_outlet(
            staff, needs, rules=rules, days=days, open_hour=open_hour, close_hour=close_hour,
            time_limit_s=time_limit_s, workers=workers, explain=True,
        )  # fmt: skip
    if status == cp_model.INFEASIBLE:
        index_to_name = {var.index: name for name, var in groups.items()}
        core = [index_to_name[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index_to_name]
        raise ScheduleInfeasible(_minimal_core(model, groups, core or list(groups), time_limit_s))
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if not solved and not hint:
        raise ScheduleInfeasible(["time_limit"])
    if solved:
        chosen = {key for key, var in y.items() if solver.value(var)}
    else:  # out of time before a first solution (a starved machine): the greedy roster, within the hour and day limits
        chosen = {(s, d, t, role) for (s, d), (t, role) in hint.items()}
    shifts = [Shift(staff[s].key, staff[s].outlet, d, templates[t][0], templates[t][1], role) for s, d, t, role in chosen]
    coverage = {key: (needed, 0) for key, needed in need_at.items()}
    for shift in shifts:
        for hour in range(shift.start, shift.end):
            key = (shift.outlet, shift.day, hour, shift.role)
            if key in coverage:
                needed, covered = coverage[key]
                coverage[key] = (needed, min(needed, covered + 1))
    fatigue_value = sum(max(0, sh.hours - rules.fatigue_after_hours) for sh in shifts) * rules.fatigue_weight
    unmet = explain_unmet(staff, shifts, coverage, rules)
    broken = sum(needed - covered for needed, covered in coverage.values()) + sum(
        1 for sh in shifts if sh.hours > rules.fatigue_after_hours
    )
    return Schedule(
        shifts=sorted(shifts, key=lambda sh: (sh.outlet, sh.day, sh.start, sh.staff)),
        unmet=unmet,
        objective=int(solver.objective_value) if solved else _objective(shifts, coverage, rules),
        fatigue_penalty=fatigue_value,
        broken_soft_constraints=broken,
        status=solver.status_name(status) if solved else "GREEDY",
        seconds=time.perf_counter() - started,
        coverage=coverage,
    )


def _objective(shifts: Sequence[Shift], coverage: dict[tuple[str, int, int, str], tuple[int, int]], rules: LabourRules) -> int:
    """The model's objective for a roster found outside the solver."""
    unmet = sum(needed - covered for needed, covered in coverage.values())
    fatigue = sum(max(0, sh.hours - rules.fatigue_after_hours) for sh in shifts) * rules.fatigue_weight
    return UNMET_WEIGHT * unmet + fatigue + HOUR_WEIGHT * sum(sh.hours for sh in shifts)


def _minimal_core(model: cp_model.CpModel, groups: dict[str, cp_model.IntVar], core: list[str], time_limit_s: float) -> list[str]:
    """Drop each group whose removal keeps the model infeasible: what is left are the rules that block."""
    needed = sorted(core)
    for name in list(needed):
        trial = [g for g in needed if g != name]
        model.clear_assumptions()
        model.add_assumptions([groups[g] for g in trial])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(1.0, time_limit_s / 4)
        solver.parameters.num_workers = 1
        if solver.solve(model) == cp_model.INFEASIBLE:
            needed = trial
    return needed


def _hint_greedy_roster(
    model: cp_model.CpModel,
    staff: Sequence[Staff],
    need_at: dict[tuple[str, int, int, str], int],
    templates: list[tuple[int, int]],
    rules: LabourRules,
    days: int,
    x: dict[tuple[int, int, int], cp_model.IntVar],
    y: dict[tuple[int, int, int, str], cp_model.IntVar],
    unmet_vars: dict[tuple[str, int, int, str], cp_model.IntVar],
    worked_vars: dict[tuple[int, int], cp_model.IntVar],
) -> dict[tuple[int, int], tuple[int, str]]:
    """A quick greedy roster as the solver's starting point: each person in turn takes the shift and role
    that covers the most still-open staff-hours, within the weekly limit and days. CP-SAT improves on it
    from there instead of searching for a first solution on a busy machine."""
    remaining = dict(need_at)
    hours: dict[int, int] = defaultdict(int)
    chosen: dict[tuple[int, int], tuple[int, str]] = {}
    for d in range(days):
        for s, person in enumerate(staff):
            limit = min(rules.max_weekly_hours, person.max_weekly_hours or rules.max_weekly_hours)
            if sum(1 for (ss, _dd) in chosen if ss == s) >= rules.max_days_per_week:
                continue
            best: tuple[int, int, str] | None = None
            best_gain = 0
            for t, (start, end) in enumerate(templates):
                if (s, d, t) not in x or hours[s] + end - start > limit:
                    continue
                for role in person.roles:
                    if (s, d, t, role) not in y:
                        continue
                    gain = sum(1 for hour in range(start, end) if remaining.get((person.outlet, d, hour, role), 0) > 0)
                    if 2 * gain > end - start and gain > best_gain:  # more than half the shift is needed
                        best, best_gain = (t, end - start, role), gain
            if best is None:
                continue
            t, length, role = best
            chosen[s, d] = (t, role)
            hours[s] += length
            start, end = templates[t]
            for hour in range(start, end):
                key = (person.outlet, d, hour, role)
                if remaining.get(key, 0) > 0:
                    remaining[key] -= 1
    for s, person in enumerate(staff):  # contracted minimum hours: top up on free days, shortest shift that fits
        for d in range(days):
            if hours[s] >= person.min_weekly_hours:
                break
            if (s, d) in chosen or (s, d, 0) not in x or sum(1 for (ss, _dd) in chosen if ss == s) >= rules.max_days_per_week:
                continue
            limit = min(rules.max_weekly_hours, person.max_weekly_hours or rules.max_weekly_hours)
            fitting = [i for i, (a, b) in enumerate(templates) if hours[s] + b - a <= limit]
            if not fitting:
                break
            t = max(fitting, key=lambda i: templates[i][1] - templates[i][0])
            role = next(r for (ss, dd, tt, r) in y if (ss, dd, tt) == (s, d, t))
            chosen[s, d] = (t, role)
            hours[s] += templates[t][1] - templates[t][0]
            start, end = templates[t]
            for hour in range(start, end):
                key = (person.outlet, d, hour, role)
                if remaining.get(key, 0) > 0:
                    remaining[key] -= 1
    for (s, d, t), var in x.items():
        model.add_hint(var, 1 if chosen.get((s, d), (None,))[0] == t else 0)
    for (s, d, t, role), var in y.items():
        model.add_hint(var, 1 if chosen.get((s, d)) == (t, role) else 0)
    for key, var in unmet_vars.items():
        model.add_hint(var, remaining[key])
    for (s, d), var in worked_vars.items():
        model.add_hint(var, 1 if (s, d) in chosen else 0)
    return chosen


def role_label(role: str) -> str:
    """A role in the reader's language (the roster plans chef, server, cashier and manager)."""
    labels = {"chef": _("Chef"), "server": _("Server"), "cashier": _("Cashier"), "manager": _("Manager")}
    return str(labels.get(role, role))


def explain_unmet(
    staff: Sequence[Staff],
    shifts: Sequence[Shift],
    coverage: dict[tuple[str, int, int, str], tuple[int, int]],
    rules: LabourRules,
) -> list[UnmetSlot]:
    """Why each slot is short: nobody has the skill, every skilled person is busy in that hour, or the
    skilled people not on duty are at their weekly hours or days limit (or could not rest long enough)."""
    hours: dict[str, int] = defaultdict(int)
    days_worked: dict[str, set[int]] = defaultdict(set)
    on_duty: dict[tuple[str, int, int], str] = {}
    for sh in shifts:
        hours[sh.staff] += sh.hours
        days_worked[sh.staff].add(sh.day)
        for hour in range(sh.start, sh.end):
            on_duty[sh.staff, sh.day, hour] = sh.role
    result = []
    for (outlet, day, hour, role), (needed, covered) in sorted(coverage.items()):
        if covered >= needed:
            continue
        skilled = [p for p in staff if p.outlet == outlet and role in p.roles]
        free = [p for p in skilled if (p.key, day, hour) not in on_duty]
        if not skilled:
            reason = _("no staff at %(outlet)s has the skill %(role)s") % {"outlet": outlet, "role": role_label(role)}
        elif not free:
            reason = _("all %(count)s staff with the skill %(role)s are already on duty in this hour") % {
                "count": len(skilled),
                "role": role_label(role),
            }
        else:
            at_limit = [p for p in free if hours[p.key] + 4 > min(rules.max_weekly_hours, p.max_weekly_hours or 10**6)]
            at_days = [p for p in free if len(days_worked[p.key]) >= rules.max_days_per_week and day not in days_worked[p.key]]
            if len(at_limit) + len(at_days) >= len(free):
                reason = _(
                    "the %(count)s free staff with the skill %(role)s are at the weekly limit (%(hours)s h) or %(days)s days"
                ) % {
                    "count": len(free),
                    "role": role_label(role),
                    "hours": rules.max_weekly_hours,
                    "days": rules.max_days_per_week,
                }
            else:
                reason = _(
                    "the free staff with the skill %(role)s already work a shift that day "
                    "(one shift a day, shifts of at most %(shift)s h, %(rest)s h rest)"
                ) % {"role": role_label(role), "shift": rules.max_shift_hours, "rest": rules.min_rest_hours}
        result.append(UnmetSlot(outlet, day, hour, role, needed, covered, reason))
    return result
