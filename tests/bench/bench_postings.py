"""Benchmark: stock postings through `post_moves` against a naive ORM baseline, measured in the same run.

Cases (one throw-away tenant, provisioned for the run and deleted afterwards):
  single_line      sequential one-line receipts through post_moves (locks, valuation, event, outbox) → postings/s,
                   SQL statements per posting, and a cProfile summary of the path (top functions by own time)
  bulk_receipt     one posting of 1,000 lines (1,000 items) → wall seconds
  concurrent       4 processes × 250 one-unit issues of one SKU → updates lost (ours must lose none)
Baseline: the naive ORM way (get the level, add, save; no transaction, no lock) for the same three shapes.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_postings.py

The database is migrated first (idempotent). Writes tests/bench/results/postings.json. Never a pass/fail test:
the machine's load moves every figure; compare ours with the baseline of the same run.
"""

from __future__ import annotations

import cProfile
import io
import json
import multiprocessing
import os
import platform
import pstats
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

RESULTS = REPO / "tests" / "bench" / "results" / "postings.json"
SINGLE_LINE_POSTINGS = 300
PROFILED_POSTINGS = 100
BULK_LINES = 1000
PROCESSES = 4
ISSUES_PER_PROCESS = 250


def _enter(schema: str) -> None:
    from django.db import connection

    from tenants.models import Tenant

    connection.set_tenant(Tenant.objects.get(schema_name=schema))


def naive_decrements(schema: str, level_id: int, count: int, start_at: float) -> int:
    """The baseline: read, subtract, save, with no lock, as a quick ORM implementation does."""
    from core.inventory.models import StockLevel

    _enter(schema)
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(count):
        level = StockLevel.objects.get(pk=level_id)
        level.on_hand -= 1
        level.save(update_fields=["on_hand"])
    return count


def ledger_decrements(schema: str, item_id: int, shelf_id: int, customer_id: int, count: int, start_at: float) -> int:
    from core.inventory.services import MoveLine, post_moves

    _enter(schema)
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(count):
        post_moves([MoveLine(item_id, shelf_id, customer_id, Decimal("1"))], idempotency_key=f"bench:{uuid.uuid4().hex}")
    return count


def profile_summary(profiler: cProfile.Profile, limit: int = 15) -> list[str]:
    """The functions that cost the most of their own time, as pstats prints them."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return lines[start:]


def run_parallel(pool: multiprocessing.pool.Pool, function: object, args: tuple) -> float:
    start = time.time() + 0.5
    began = time.perf_counter()
    pool.starmap(function, [(*args, start)] * PROCESSES)
    return time.perf_counter() - began - 0.5


def main() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from core.catalog.models import Item
    from core.inventory import selectors
    from core.inventory.factories import make_item, make_stock_location
    from core.inventory.models import StockLevel
    from core.inventory.services import MoveLine, post_moves
    from core.locations.models import LocationKind
    from core.locations.services import get_virtual_location
    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    call_command("migrate", verbosity=0)
    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "zh-hans")
    results: dict[str, object] = {}
    try:
        with schema_context(tenant.schema_name):
            supplier = get_virtual_location(LocationKind.SUPPLIER)
            customer = get_virtual_location(LocationKind.CUSTOMER)
            shelf = make_stock_location()
            item = make_item()

            # single-line postings, sequential
            def receipt() -> None:
                post_moves(
                    [MoveLine(item.pk, supplier.pk, shelf.pk, Decimal("1"), unit_cost=Decimal("3.5"))],
                    idempotency_key=f"bench:{uuid.uuid4().hex}",
                )

            receipt()  # first posting creates the level and valuation rows
            with CaptureQueriesContext(connection) as captured:
                receipt()
            ours_statements = [q["sql"].split("(")[0][:60] for q in captured.captured_queries]
            began = time.perf_counter()
            for _ in range(SINGLE_LINE_POSTINGS):
                receipt()
            ours = time.perf_counter() - began
            level = StockLevel.objects.get(item=item, location=shelf)

            def naive_update() -> None:
                naive = StockLevel.objects.get(pk=level.pk)
                naive.on_hand += 1
                naive.save(update_fields=["on_hand"])

            with CaptureQueriesContext(connection) as captured:
                naive_update()
            baseline_statements = len(captured.captured_queries)
            began = time.perf_counter()
            for _ in range(SINGLE_LINE_POSTINGS):
                naive_update()
            baseline = time.perf_counter() - began
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(PROFILED_POSTINGS):
                receipt()
            profiler.disable()
            results["single_line"] = {
                "postings": SINGLE_LINE_POSTINGS,
                "ours_postings_per_s": round(SINGLE_LINE_POSTINGS / ours, 1),
                "ours_ms_per_posting": round(1000 * ours / SINGLE_LINE_POSTINGS, 2),
                "ours_statements_per_posting": len(ours_statements),
                "ours_statements": ours_statements,
                "baseline_updates_per_s": round(SINGLE_LINE_POSTINGS / baseline, 1),
                "baseline_ms_per_update": round(1000 * baseline / SINGLE_LINE_POSTINGS, 2),
                "baseline_statements_per_update": baseline_statements,
                "ours_vs_baseline": round(baseline / ours, 2),
                "profile_postings": PROFILED_POSTINGS,
                "profile_top_by_own_time": profile_summary(profiler),
            }

            # one posting of 1,000 lines
            bulk_items = [make_item() for _ in range(BULK_LINES)]
            lines = [MoveLine(i.pk, supplier.pk, shelf.pk, Decimal("5"), unit_cost=Decimal("2")) for i in bulk_items]
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                post_moves(lines, idempotency_key=f"bench:bulk:{uuid.uuid4().hex}")
            ours = time.perf_counter() - began
            ours_queries = len(captured.captured_queries)
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured, transaction.atomic():
                for bulk_item in bulk_items:
                    naive, _ = StockLevel.objects.get_or_create(item=bulk_item, location=shelf, lot=None)
                    naive.on_hand += 5
                    naive.save(update_fields=["on_hand"])
            baseline = time.perf_counter() - began
            results["bulk_receipt"] = {
                "lines": BULK_LINES,
                "ours_seconds": round(ours, 3),
                "ours_statements": ours_queries,
                "baseline_seconds": round(baseline, 3),
                "baseline_statements": len(captured.captured_queries),
            }

            # concurrency: lost updates
            hot = make_item()
            post_moves([MoveLine(hot.pk, supplier.pk, shelf.pk, Decimal("10000"))], idempotency_key=f"bench:{uuid.uuid4().hex}")
            naive_item: Item = make_item()
            naive_level = StockLevel.objects.create(item=naive_item, location=shelf, on_hand=Decimal("10000"))
        connection.close()
        context = multiprocessing.get_context("spawn")
        attempts = PROCESSES * ISSUES_PER_PROCESS
        with context.Pool(PROCESSES) as pool:
            pool.map(time.sleep, [0] * PROCESSES)
            baseline_s = run_parallel(pool, naive_decrements, (tenant.schema_name, naive_level.pk, ISSUES_PER_PROCESS))
            ours_s = run_parallel(
                pool, ledger_decrements, (tenant.schema_name, hot.pk, shelf.pk, customer.pk, ISSUES_PER_PROCESS)
            )
        with schema_context(tenant.schema_name):
            naive_final = StockLevel.objects.get(pk=naive_level.pk).on_hand
            ours_final = selectors.on_hand(hot.pk, shelf.pk)
        results["concurrent"] = {
            "processes": PROCESSES,
            "attempts": attempts,
            "ours_final_on_hand": str(ours_final),
            "ours_lost_updates": int(ours_final - (10000 - attempts)),
            "ours_postings_per_s": round(attempts / ours_s, 1),
            "baseline_final_on_hand": str(naive_final),
            "baseline_lost_updates": int(naive_final - (10000 - attempts)),
            "baseline_updates_per_s": round(attempts / baseline_s, 1),
        }
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))

    report = {
        "benchmark": "postings",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_1m": os.getloadavg()[0],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
