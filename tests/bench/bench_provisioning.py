"""Tenant provisioning time: template clone (lean, pg-clone-schema, spare pool) against plain migrations.

Every case runs in one process against a scratch database `<DATABASE_URL db>_bench_prov` (created,
migrated and dropped here), so the figures share the machine's load at the time:
  provision_pool        provision_tenant() taking a spare schema from the pool (the signup path)
  provision_clone       provision_tenant() with an empty pool: lean clone of the template
  schema_lean_clone     the lean clone alone (tenants.clone.clone_schema_fast)
  schema_pg_clone       django-tenants' CloneSchema (pg-clone-schema, DATA mode) alone
  schema_migrations     baseline: CREATE SCHEMA + `migrate_schemas --tenant --schema=<x>`
  growth                provision_tenant() with an empty pool after N filler schemas (--schemas 100,300,1000),
                        with the template plan cached (ours) and read afresh on every clone (the old path, the
                        baseline), and the time the plan read alone takes at that catalog size. Filler schemas are
                        made cheaply: one server-side DO block per schema creates every template table with
                        `LIKE … INCLUDING ALL` (keys, indexes, defaults; no rows, no foreign keys), which grows
                        pg_class, pg_attribute, pg_index and pg_constraint as real tenants do.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python tests/bench/bench_provisioning.py [--runs 20]

Writes tests/bench/results/provisioning.json. Never a pass/fail test: the machine's load moves the figures.
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
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "results" / "provisioning.json"
PASSWORD = "Correct-horse-42!"


def scratch_database() -> tuple[str, str]:
    """(admin URL, scratch URL) derived from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jxc")
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    return f"{base}/postgres", f"{base}/{name}_bench_prov"


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
        "median_s": round(statistics.median(samples), 4),
        "p90_s": round(p90, 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
    }


def timed(runs: int, prepare: Callable[[], object], measure: Callable[[object], None]) -> list[float]:
    samples = []
    for _ in range(runs):
        state = prepare()
        start = time.perf_counter()
        measure(state)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline-runs", type=int, default=None, help="runs of the slow migrations baseline")
    parser.add_argument("--schemas", default="100", help="filler schema counts for the growth case, e.g. 100,300,1000")
    parser.add_argument("--growth-runs", type=int, default=5)
    parser.add_argument("--growth-only", action="store_true", help="skip the other cases")
    args = parser.parse_args()
    baseline_runs = args.baseline_runs or args.runs

    admin_url, scratch_url = scratch_database()
    recreate(admin_url, scratch_url)
    os.environ.update(
        DATABASE_URL=scratch_url,
        DJANGO_SETTINGS_MODULE="core.settings.test",
        TENANT_SPARE_SCHEMAS="0",
        JXC_VAR_DIR=str(REPO / "var" / "bench_provisioning"),
    )
    sys.path.insert(0, str(REPO))
    load_before = os.getloadavg()
    try:
        counts = [int(n) for n in args.schemas.split(",") if n.strip()]
        results = run(args.runs, baseline_runs, counts, args.growth_runs, args.growth_only)
    finally:
        from django.db import connections

        connections.close_all()
        recreate(admin_url, scratch_url, drop_only=True)
    report = {
        "benchmark": "tenant provisioning",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "target": "provision_pool median < 1 s",
        "cases": results,
    }
    target = RESULTS.with_name("provisioning_growth.json") if args.growth_only else RESULTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


FILLER = """
DO $$
DECLARE t record;
BEGIN
    EXECUTE format('CREATE SCHEMA %I', %(name)s);
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = %(template)s AND c.relkind = 'r' LOOP
        EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL)', %(name)s, t.relname, %(template)s, t.relname);
    END LOOP;
END $$;
"""


def run(runs: int, baseline_runs: int, counts: list[int], growth_runs: int, growth_only: bool) -> dict[str, dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.clone import CloneSchema

    from tenants.clone import clone_schema_fast
    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant
    from tenants.template import fill_pool

    call_command("migrate", verbosity=0)
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            [template],
        )
        tables = cursor.fetchone()[0]

    def drop(schema: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def new_name() -> str:
        return f"b{uuid.uuid4().hex[:12]}"

    def provision(slug: str) -> None:
        provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", PASSWORD, ["food"], "zh-hans")

    def schema_then_drop(create: Callable[[str], None]) -> Callable[[object], None]:
        def measure(name: object) -> None:
            create(str(name))

        return measure

    results: dict[str, dict] = {}
    samples: dict[str, list[float]] = {}
    if counts:
        results["growth"] = growth(template, counts, growth_runs, provision, new_name)
    if growth_only:
        results["template"] = {"schema": template, "tables": tables}
        return results

    # Spare pool: filled beforehand (not timed), then each signup renames a spare.
    fill_pool(size=runs)
    samples["provision_pool"] = timed(runs, new_name, lambda slug: provision(str(slug)))
    samples["provision_clone"] = timed(runs, new_name, lambda slug: provision(str(slug)))
    for tenant in Tenant.objects.exclude(schema_name="public"):
        delete_tenant(tenant)

    created: list[str] = []

    def lean(name: str) -> None:
        clone_schema_fast(template, name)
        created.append(name)

    def pg_clone(name: str) -> None:
        CloneSchema().clone_schema(template, name, "DATA")
        created.append(name)

    def migrations(name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
        call_command("migrate_schemas", tenant=True, schema_name=name, verbosity=0)
        connection.set_schema_to_public()
        created.append(name)

    for case, create, count in (
        ("schema_lean_clone", lean, runs),
        ("schema_pg_clone", pg_clone, runs),
        ("schema_migrations", migrations, baseline_runs),
    ):
        samples[case] = timed(count, new_name, schema_then_drop(create))
        while created:
            drop(created.pop())

    for case, values in samples.items():
        results[case] = summary(values)
    results["template"] = {"schema": template, "tables": tables}
    return results


def growth(template: str, counts: list[int], runs: int, provision: Callable[[str], None], new_name: Callable[[], str]) -> dict:
    """Provisioning with an empty pool as filler schemas pile up: cached plan (ours) against a fresh read."""
    from django.db import connection

    from tenants import clone
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    out: dict[str, dict] = {}
    fillers = 0
    for target in sorted(counts):
        began = time.perf_counter()
        while fillers < target:
            with connection.cursor() as cursor:
                # No parameters, so the driver leaves format()'s %I alone; names come from the bench, not from users.
                cursor.execute(FILLER.replace("%(name)s", f"'fill_{fillers:05d}'").replace("%(template)s", f"'{template}'"))
            fillers += 1
        generated_s = time.perf_counter() - began
        clone._plans.clear()
        started = time.perf_counter()
        clone._read_plan(template)
        plan_read_s = time.perf_counter() - started
        clone.template_plan(template)  # warm the cache: ours
        real_template_plan = clone.template_plan

        def uncached(template_name: str) -> clone.TemplatePlan | None:
            return clone._read_plan(template_name)

        # Interleaved, so a change in the machine's load hits both the same way.
        cached: list[float] = []
        fresh: list[float] = []
        for _ in range(runs):
            cached += timed(1, new_name, lambda slug: provision(str(slug)))
            clone.template_plan = uncached  # type: ignore[assignment]
            try:
                fresh += timed(1, new_name, lambda slug: provision(str(slug)))
            finally:
                clone.template_plan = real_template_plan  # type: ignore[assignment]
        for tenant in Tenant.objects.exclude(schema_name="public"):
            delete_tenant(tenant)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class")
            catalog_rows = cursor.fetchone()[0]
        out[str(target)] = {
            "filler_schemas": target,
            "pg_class_rows": catalog_rows,
            "filler_generation_s": round(generated_s, 1),
            "plan_read_s": round(plan_read_s, 4),
            "ours_cached_plan": summary(cached),
            "baseline_plan_read_per_clone": summary(fresh),
        }
    return out


if __name__ == "__main__":
    main()
