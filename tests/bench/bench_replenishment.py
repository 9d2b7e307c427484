"""Benchmark: a replenishment run over 5,000 item × location pairs, against one inventory_position call per pair.

Setup (one throw-away tenant, provisioned for the run and deleted afterwards): 100 store locations × 50 items,
each pair with a supplier sourcing rule (declared lead time 7 days), a 14-day forecast band (P10/P50/P90 =
8/10/12) and between 0 and 99 on hand: every pair is below its reorder point (≈ 99.6), the worst case.
  ours      run_replenishment(): batched inventory_positions, one forecast query, bulk insert → ms, queries, proposals
  baseline  the position step done the naive way: inventory_position(item, location) once per pair, timed on a
            sample of 500 pairs and scaled to 5,000 (the full loop took ~225 s on a loaded 2-core machine); a lower
            bound for a naive run, which would still have to read forecasts and write proposals

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_replenishment.py

Writes tests/bench/results/replenishment.json. Never a pass/fail test: compare with the baseline of the same run.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

RESULTS = REPO / "tests" / "bench" / "results" / "replenishment.json"
LOCATIONS = 100
ITEMS = 50
DAYS = 14
BASELINE_SAMPLE = 500


def build() -> list[tuple[int, int]]:
    from django.utils import timezone

    from core.catalog.models import Item
    from core.catalog.services import get_or_create_unit
    from core.inventory.models import StockLevel
    from core.locations.models import Location, LocationKind
    from core.partners.services import create_supplier
    from core.planning.models import DemandForecast, SourcingRule

    today = timezone.localdate()
    unit = get_or_create_unit("pcs")
    supplier = create_supplier(code="SUP-BENCH", name="Bench", declared_lead_time_days=7)
    items = Item.objects.bulk_create(Item(sku=f"RP-{n:04d}", name_zh=f"商品{n}", base_unit=unit) for n in range(ITEMS))
    locations = Location.objects.bulk_create(
        Location(code=f"RP-ST-{n:03d}", name=f"门店{n}", kind=LocationKind.INTERNAL) for n in range(LOCATIONS)
    )
    pairs = [(item.pk, location.pk) for location in locations for item in items]
    # Opening levels written directly: the benchmark measures planning reads, not the ledger's posting path.
    StockLevel.objects.bulk_create(
        StockLevel(item_id=i, location_id=loc, on_hand=Decimal(n % 100)) for n, (i, loc) in enumerate(pairs)
    )
    SourcingRule.objects.bulk_create(SourcingRule(item_id=i, location_id=loc, supplier=supplier) for i, loc in pairs)
    DemandForecast.objects.bulk_create(
        (
            DemandForecast(
                item_id=i,
                location_id=loc,
                made_on=today - timedelta(days=1),
                forecast_date=today + timedelta(days=d),
                horizon_days=d + 1,
                p10=Decimal("8"),
                p50=Decimal("10"),
                p90=Decimal("12"),
            )
            for i, loc in pairs
            for d in range(DAYS)
        ),
        batch_size=5000,
    )
    return pairs


def bench(pairs: list[tuple[int, int]]) -> dict[str, object]:
    from django.db import connection

    from core.inventory.selectors import inventory_position
    from core.planning.services import run_replenishment

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        run = run_replenishment(run_key="bench", actor="bench")
        ours_s = time.perf_counter() - began
    ours_queries, counter.count = counter.count, 0
    sample = pairs[:: len(pairs) // BASELINE_SAMPLE]
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        naive = {pair: inventory_position(*pair) for pair in sample}
        baseline_s = time.perf_counter() - began
    scale = len(pairs) / len(sample)
    return {
        "pairs": len(pairs),
        "ours_ms": round(1000 * ours_s, 1),
        "ours_queries": ours_queries,
        "proposals_created": run.proposals_created,
        "baseline_sample_pairs": len(sample),
        "baseline_sample_ms": round(1000 * baseline_s, 1),
        "baseline_sample_queries": counter.count,
        "baseline_scaled_ms": round(1000 * baseline_s * scale, 1),
        "baseline_scaled_queries": round(counter.count * scale),
        "baseline_sample_total_position": str(sum(naive.values())),
    }


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    call_command("migrate", verbosity=0)
    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "zh-hans")
    try:
        with schema_context(tenant.schema_name):
            began = time.perf_counter()
            pairs = build()
            setup_s = time.perf_counter() - began
            results = bench(pairs)
            results["setup_s"] = round(setup_s, 1)
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    report = {
        "benchmark": "replenishment",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_1m": os.getloadavg()[0],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
