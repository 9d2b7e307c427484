"""`manage.py migrate` with nothing to apply, over 100, 300 and 1,000 tenants, against django-tenants' own path.

Runs in a scratch database `<DATABASE_URL db>_bench_migrate` (created, migrated and dropped here):
  real_stale_only      `migrate` over REAL tenants (lean clones of the template): reads every migration table
                       in a few queries and visits no schema
  real_all_schemas     baseline, same tenants, same run: `migrate --all-schemas`, django-tenants' path, which
                       runs the whole migrate command once per schema
  generated_<N>        `migrate` over N generated tenants, in process and as a subprocess (with Django's
                       start-up, as a deploy runs it). A generated tenant is a Tenant row whose schema holds
                       only a copy of the template's `django_migrations`: cloning 1,000 full schemas would take
                       half an hour, and the stale-only path reads nothing else. The baseline for N is the
                       per-tenant cost of `real_all_schemas` × N (extrapolated, marked as such).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python tests/bench/bench_migrate.py [--real 10]

Writes tests/bench/results/migrate.json. Never a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "results" / "migrate.json"
COUNTS = (100, 300, 1000)


def scratch_database() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jxc")
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", f"{base}/{name.split('?')[0]}_bench_migrate"


def recreate(admin_url: str, scratch_url: str, drop_only: bool = False) -> None:
    import psycopg

    name = scratch_url.rpartition("/")[2]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", type=int, default=10, help="real (cloned) tenants for the same-run baseline")
    args = parser.parse_args()
    admin_url, scratch_url = scratch_database()
    recreate(admin_url, scratch_url)
    os.environ.update(
        DATABASE_URL=scratch_url,
        DJANGO_SETTINGS_MODULE="core.settings.test",
        TENANT_SPARE_SCHEMAS="0",
        JXC_VAR_DIR=str(REPO / "var" / "bench_migrate"),
    )
    sys.path.insert(0, str(REPO))
    load_before = os.getloadavg()
    try:
        cases = run(args.real)
    finally:
        from django.db import connections

        connections.close_all()
        recreate(admin_url, scratch_url, drop_only=True)
    report = {
        "benchmark": "migrate with nothing to apply",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "target": "< 120 s at 1,000 tenants",
        "cases": cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def timed_migrate(**options: object) -> float:
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, **options)
    elapsed = time.perf_counter() - start
    connection.set_schema_to_public()
    return elapsed


def timed_subprocess() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, check=True, env=os.environ.copy())
    return time.perf_counter() - start


def run(real: int) -> dict[str, dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from tenants.clone import clone_schema_fast
    from tenants.models import Tenant

    timed_migrate()
    template = settings.TENANT_BASE_SCHEMA

    def add_tenants(schemas: list[str]) -> None:
        Tenant.objects.bulk_create([Tenant(schema_name=s, slug=s, name=s, owner_email=f"owner@{s}.example.com") for s in schemas])

    real_schemas = [f"r{uuid.uuid4().hex[:12]}" for _ in range(real)]
    for schema in real_schemas:
        clone_schema_fast(template, schema)
    add_tenants(real_schemas)
    cases: dict[str, dict] = {}
    stale_only = timed_migrate()
    all_schemas = timed_migrate(all_schemas=True)
    per_tenant = all_schemas / real
    cases["real_stale_only"] = {"tenants": real, "seconds": round(stale_only, 3)}
    cases["real_all_schemas"] = {"tenants": real, "seconds": round(all_schemas, 3), "per_tenant_s": round(per_tenant, 4)}

    generated = 0
    for count in COUNTS:
        batch = [f"g{uuid.uuid4().hex[:12]}" for _ in range(count - generated)]
        with connection.cursor() as cursor:
            for schema in batch:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
                cursor.execute(f'CREATE TABLE "{schema}".django_migrations AS TABLE "{template}".django_migrations')
        add_tenants(batch)
        generated = count
        total = count + real
        cases[f"generated_{count}"] = {
            "tenants": total,
            "in_process_s": round(timed_migrate(), 3),
            "subprocess_s": round(timed_subprocess(), 3),
            "baseline_all_schemas_s_extrapolated": round(per_tenant * total, 1),
        }
        print(count, cases[f"generated_{count}"], flush=True)
    return cases


if __name__ == "__main__":
    main()
