"""Signup to dashboard wall time in a real browser (Debian Chromium, headless), browser start excluded.

One process drives everything against a scratch database `<DATABASE_URL db>_bench_signup` (created, migrated
and dropped here) served by `manage.py runserver` on a free port, so all figures share the machine's load:
  signup_to_dashboard               click "create account" → the tenant's dashboard has loaded (no sample data)
  signup_to_dashboard_sample_data   the same with "start with sample data" (core + 2 modules' demo builders),
                                    until the dashboard's Chart.js chart has data drawn
  sample_data_build                 the demo builders alone, as the server logged them during those signups
  provision_only                    baseline: provision_tenant() called directly (a spare schema, no browser)
  landing_page                      baseline: loading the landing page in the same browser

Spare schemas are cloned before each timed case (not timed), as the pool's worker keeps them ready in
production. Each run uses a fresh browser context (no cookies) and a new company. The first signup of each
case in the fresh server process is reported apart (`*_first_in_process`): it also pays the imports.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python tests/bench/bench_signup.py [--runs 5]

Writes tests/bench/results/signup.json. Never a pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "results" / "signup.json"
PASSWORD = "Sturdy-walnut-93!"
MODULES = ["food", "restaurant"]
TARGET_S = 3.0


def scratch_database() -> tuple[str, str]:
    """(admin URL, scratch URL) derived from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jxc")
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", f"{base}/{name.split('?')[0]}_bench_signup"


def recreate(admin_url: str, scratch_url: str, drop_only: bool = False) -> None:
    import psycopg

    name = scratch_url.rpartition("/")[2]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def summary(samples: list[float]) -> dict[str, float | int]:
    ordered = sorted(samples)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return {
        "runs": len(samples),
        "median_s": round(statistics.median(samples), 3),
        "p90_s": round(p90, 3),
        "min_s": round(ordered[0], 3),
        "max_s": round(ordered[-1], 3),
    }


def signup_once(browser: Any, server: Any, sample_data: bool) -> tuple[float, str]:
    """Fill the form (not timed), then time submit → dashboard loaded (→ chart drawn with sample data)."""
    from tests.browser.support import CHART_DRAWN_JS, fill_signup_form, new_context

    slug = f"bench{uuid.uuid4().hex[:10]}"
    context = new_context(browser, "zh-CN")
    page = context.new_page()
    try:
        page.goto(server.public_url + "/signup/")
        fill_signup_form(
            page,
            company="基准测试商贸",
            slug=slug,
            email=f"owner@{slug}.example.com",
            password=PASSWORD,
            modules=MODULES,
            sample_data=sample_data,
        )
        page.wait_for_selector('#slug-status[data-state="available"]')
        start = time.perf_counter()
        page.click("#signup-submit")
        page.wait_for_url(server.tenant_url(slug, "/"))  # waits for the load event
        if sample_data:
            page.wait_for_function(CHART_DRAWN_JS)
        elapsed = time.perf_counter() - start
        if not page.locator("header form[action$='/logout/'] button").is_visible():
            raise RuntimeError(f"signup of {slug} did not end signed in on the dashboard")
        return elapsed, slug
    finally:
        context.close()


def landing_once(browser: Any, server: Any) -> float:
    from tests.browser.support import new_context

    context = new_context(browser, "zh-CN")
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(server.public_url + "/")
        return time.perf_counter() - start
    finally:
        context.close()


def time_provisioning() -> float:
    from tenants.services import provision_tenant

    slug = f"bprov{uuid.uuid4().hex[:10]}"
    start = time.perf_counter()
    provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", PASSWORD, MODULES, "zh-hans")
    return time.perf_counter() - start


def run(runs: int, scratch_url: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.models import Tenant
    from tenants.services import delete_tenant
    from tests.browser.support import chromium_problem

    problem = chromium_problem()
    if problem:
        raise SystemExit(problem)
    call_command("migrate", verbosity=0)
    var_dir = REPO / "var" / "bench_signup"
    with tempfile.TemporaryDirectory(prefix="bench_signup_") as work:
        samples = measure(runs, scratch_url, var_dir, Path(work))
    for tenant in Tenant.objects.exclude(schema_name="public"):
        delete_tenant(tenant)
    return {case: summary(values) for case, values in samples.items() if values}


def measure(runs: int, scratch_url: str, var_dir: Path, work: Path) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from tenants.template import fill_pool
    from tests.browser.support import app_server, db_call, launch_chromium

    samples: dict[str, list[float]] = {}
    with app_server(scratch_url, var_dir, work) as server:
        playwright = sync_playwright().start()
        browser = launch_chromium(playwright)
        try:
            landing_once(browser, server)  # warm-up: first request imports the URLconf and templates
            samples["landing_page"] = [landing_once(browser, server) for _ in range(runs)]

            db_call(fill_pool, runs)
            samples["provision_only"] = [db_call(time_provisioning) for _ in range(runs)]

            for case, sample_data in (("signup_to_dashboard", False), ("signup_to_dashboard_sample_data", True)):
                db_call(fill_pool, runs + 1)
                # The first signup in a fresh server process also pays its imports (torch for the sample
                # forecasts): reported on its own, not mixed into the steady-state figures.
                samples[f"{case}_first_in_process"] = [signup_once(browser, server, sample_data)[0]]
                samples[case] = [signup_once(browser, server, sample_data)[0] for _ in range(runs)]
        finally:
            browser.close()
            playwright.stop()
        built = [float(s) for s in re.findall(r"sample data for tenant \S+ built in ([0-9.]+) s", server.log_path.read_text())]
    samples["sample_data_build"] = built[1:]  # the first (cold) build is left out, like its signup
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    admin_url, scratch_url = scratch_database()
    recreate(admin_url, scratch_url)
    os.environ.update(
        DATABASE_URL=scratch_url,
        DJANGO_SETTINGS_MODULE="core.settings.test",
        TENANT_SPARE_SCHEMAS="0",
        JXC_VAR_DIR=str(REPO / "var" / "bench_signup"),
    )
    sys.path.insert(0, str(REPO))
    load_before = os.getloadavg()
    try:
        cases = run(args.runs, scratch_url)
    finally:
        from django.db import connections

        connections.close_all()
        recreate(admin_url, scratch_url, drop_only=True)
    report = {
        "benchmark": "signup to dashboard in the browser",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "browser": "Debian Chromium, headless (Playwright)",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "modules": MODULES,
        "target": f"signup_to_dashboard median < {TARGET_S:.0f} s (browser start excluded)",
        "cases": cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
