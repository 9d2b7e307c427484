"""Demo data (it also runs at signup when "sample data" is ticked) and the dashboard that shows it.

Every case runs in one process against a scratch database `<DATABASE_URL db>_bench_demo` (created,
migrated and dropped here), so the figures share the machine's load at the time:
  demo_core_total        build_core_demo() on a fresh tenant (items, stock, documents, rule pack, history, forecasts)
  demo_sales_history     of which: 8 weeks of store sales posted to the ledger (56 postings)
  demo_forecasts         of which: two forecast runs (baseline ETS + conformal band, or the champion)
  dashboard_demo         GET / on the demo tenant (IHI, risk lists, chart data), with its query count
  dashboard_empty        baseline: GET / on a tenant without data, with its query count

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python tests/bench/bench_demo_dashboard.py [--runs 3]

Writes tests/bench/results/demo_dashboard.json. Never a pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "results" / "demo_dashboard.json"
PASSWORD = "Correct-horse-42!"


def scratch_database() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jxc")
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", f"{base}/{name.split('?')[0]}_bench_demo"


def recreate(admin_url: str, scratch_url: str, drop_only: bool = False) -> None:
    import psycopg

    name = scratch_url.rpartition("/")[2]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def summary(samples: list[float], **extra: Any) -> dict[str, Any]:
    return {"runs": len(samples), "median_s": round(statistics.median(samples), 4), "max_s": round(max(samples), 4), **extra}


def run(runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    import core.demo as demo
    from tenants.services import provision_tenant

    call_command("migrate", verbosity=0)
    samples: dict[str, list[float]] = {k: [] for k in ("demo_core_total", "demo_sales_history", "demo_forecasts")}
    parts: dict[str, float] = {}

    def timed_part(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    demo._post_history = timed_part("demo_sales_history", demo._post_history)  # type: ignore[method-assign]
    demo._write_forecasts = timed_part("demo_forecasts", demo._write_forecasts)  # type: ignore[method-assign]
    tenants = []
    for _ in range(runs):
        slug = f"d{uuid.uuid4().hex[:10]}"
        tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", PASSWORD, [], "zh-hans")
        tenants.append((tenant, slug))
        parts.clear()
        with schema_context(tenant.schema_name):
            start = time.perf_counter()
            demo.build_core_demo()
            samples["demo_core_total"].append(time.perf_counter() - start)
        for name in ("demo_sales_history", "demo_forecasts"):
            samples[name].append(parts.get(name, 0.0))
        connection.set_schema_to_public()
    empty_slug = f"e{uuid.uuid4().hex[:10]}"
    provision_tenant("Empty Co", empty_slug, f"owner@{empty_slug}.example.com", PASSWORD, [], "zh-hans")
    results = {name: summary(values) for name, values in samples.items()}
    for case, slug in (("dashboard_demo", tenants[0][1]), ("dashboard_empty", empty_slug)):
        client = Client(HTTP_HOST=f"{slug}.localhost")
        assert client.post("/login/", {"username": f"owner@{slug}.example.com", "password": PASSWORD}).status_code == 302
        client.get("/")  # warm the entitlement cache and templates
        times, queries = [], 0
        for _ in range(max(runs, 5)):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                assert client.get("/").status_code == 200
                times.append(time.perf_counter() - start)
            queries = len(captured)
        results[case] = summary(times, queries=queries)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    admin_url, scratch_url = scratch_database()
    recreate(admin_url, scratch_url)
    os.environ.update(
        DATABASE_URL=scratch_url,
        DJANGO_SETTINGS_MODULE="core.settings.test",
        TENANT_SPARE_SCHEMAS="0",
        JXC_VAR_DIR=str(REPO / "var" / "bench_demo_dashboard"),
    )
    sys.path.insert(0, str(REPO))
    load_before = os.getloadavg()
    try:
        results = run(args.runs)
    finally:
        from django.db import connections

        connections.close_all()
        recreate(admin_url, scratch_url, drop_only=True)
    report = {
        "benchmark": "demo data and dashboard",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "cases": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
