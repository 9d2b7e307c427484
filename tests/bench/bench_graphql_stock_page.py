"""Benchmark: latency of the GraphQL stock page (100 rows with item, unit, location and lot) over HTTP-less
Django test requests, the whole stack (middleware, auth, limits, resolvers, DataLoaders) included.

Cases, measured in the same run on one throw-away tenant:
  page_100   `stockLevels(first: 100)` with nested item/location/lot → p50/p95 ms and queries per request
  page_1     the same query with first: 1 (the query count must be the same)
  orm_100    baseline: the same 100 rows read straight through the ORM with select_related, no API layer

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_graphql_stock_page.py

Writes tests/bench/results/graphql_stock_page.json. Not a pass/fail test.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

RESULTS = REPO / "tests" / "bench" / "results" / "graphql_stock_page.json"
ROUNDS = 60
QUERY = """query($n: Int!) { stockLevels(first: $n) { totalCount edges { node {
  onHand reserved available
  item { sku nameZh nameEn baseUnit { code } }
  location { code name }
  lot { code expiryDate }
} } } }"""


def seed(rows: int) -> None:
    from core.inventory.factories import make_item, make_stock_location, receive

    shelf = make_stock_location("WH-BENCH")
    for n in range(rows):
        lot_tracked = n % 3 == 0
        item = make_item(f"BENCH-{n:04d}", lot_tracked=lot_tracked)
        receive(item, shelf, Decimal(10 + n), lot_code=f"L{n:04d}" if lot_tracked else None)


STATEMENTS: dict[str, list[str]] = {}


def profile(call, rounds: int = 10) -> list[str]:
    """A cProfile summary of `rounds` calls: the functions with the most own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return lines[start:]


def timed(call, rounds: int, name: str = "") -> tuple[list[float], int]:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    # execute_wrapper sees every statement, also those the test client's request runs.
    with connection.execute_wrapper(count):
        call()
    STATEMENTS[name] = [" ".join(sql.split())[:90] for sql in executed]
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, len(executed)


def summary(samples: list[float], queries: int) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "queries": queries,
    }


def main() -> None:
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import schema_context

    from core.inventory.models import StockLevel
    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    call_command("migrate", verbosity=0)
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    email, password = f"owner@{slug}.example.com", "Correct-horse-42!"
    tenant = provision_tenant("Bench Co", slug, email, password, (), "zh-hans")
    try:
        with schema_context(tenant.schema_name):
            seed(120)
        client = Client(HTTP_HOST=tenant.domains.get().domain)
        client.post("/login/", {"username": email, "password": password})

        def page(n: int):
            def call() -> None:
                body = json.dumps({"query": QUERY, "variables": {"n": n}})
                response = client.post("/graphql/", body, content_type="application/json")
                assert response.status_code == 200 and "errors" not in response.json(), response.content[:300]

            return call

        def orm_100() -> None:
            with schema_context(tenant.schema_name):
                rows = list(StockLevel.objects.select_related("item__base_unit", "location", "lot").order_by("pk")[:100])
                assert len(rows) == 100

        results = {
            "page_100": summary(*timed(page(100), ROUNDS, "page_100")),
            "page_1": summary(*timed(page(1), ROUNDS, "page_1")),
            "orm_100_baseline": summary(*timed(orm_100, ROUNDS, "orm_100")),
            "statements": STATEMENTS,
            "profile_page_100_top_by_own_time": profile(page(100)),
        }
    finally:
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    report = {
        "benchmark": "graphql_stock_page",
        "rounds": ROUNDS,
        "results": results,
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
