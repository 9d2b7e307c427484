"""Restaurant staff scheduling: 5 outlets × 30 staff × 7 days with CP-SAT (ortools), from an hourly covers
forecast with lunch and dinner peaks. Reports solve seconds, objective, fatigue penalty and broken soft
constraints (unmet staff-hours + shifts past the fatigue threshold), against the greedy roster alone
(the solver's starting point) as the baseline.

    .venv/bin/python tests/bench/bench_restaurant_schedule.py

Writes tests/bench/results/restaurant_schedule.json. No database.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "tests" / "bench" / "results" / "restaurant_schedule.json"
ROLES = ("chef", "server", "cashier", "manager")


def main() -> None:
    # No database, but the unmet-slot reasons are translated: the app registry must be ready for gettext.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
    django.setup()
    from verticals.restaurant.scheduling import LabourRules, Staff, covers_to_needs, solve_schedule

    rng = np.random.default_rng(3)
    staff, covers = [], {}
    for o in range(5):
        for i in range(30):
            roles = {ROLES[i % 4]} | ({ROLES[(i + 1) % 4]} if i % 3 == 0 else set())
            staff.append(Staff(f"o{o}s{i}", f"O{o}", frozenset(roles), min_weekly_hours=20 if i % 5 == 0 else 0))
        for day in range(7):
            for hour in range(10, 22):
                peak = 60 if hour in (11, 12, 18, 19) else 20
                covers[(f"O{o}", day, hour)] = peak * (1.3 if day >= 5 else 1.0) * rng.uniform(0.8, 1.2)
    needs = covers_to_needs(covers, {"chef": 25, "server": 15, "cashier": 60}, {"manager": 1})
    rules = LabourRules()
    started = time.perf_counter()
    schedule = solve_schedule(staff, needs, rules=rules, time_limit_s=8.0)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    greedy = solve_schedule(staff, needs, rules=rules, time_limit_s=0.01)  # the greedy hint, barely searched
    greedy_seconds = time.perf_counter() - started
    result = {
        "benchmark": "restaurant_schedule",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "size": {"outlets": 5, "staff": len(staff), "days": 7, "staff_hour_needs": sum(n.count for n in needs)},
        "cp_sat": {
            "seconds": round(seconds, 2), "status": schedule.status, "objective": schedule.objective,
            "broken_soft_constraints": schedule.broken_soft_constraints, "fatigue_penalty": schedule.fatigue_penalty,
            "unmet_slots": len(schedule.unmet), "shifts": len(schedule.shifts),
        },
        "baseline_greedy_start": {
            "seconds": round(greedy_seconds, 2), "objective": greedy.objective,
            "broken_soft_constraints": greedy.broken_soft_constraints, "unmet_slots": len(greedy.unmet),
        },
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
