"""Benchmark: MRP on a generated 20,000-item, 6-level catalog with 2,000 open demands, and the impact report of
an ECO on a subassembly used in 500 assemblies.

Setup (one throw-away tenant, deleted afterwards), written with bulk inserts (the benchmark measures planning):
  levels 0–5 of 500 / 1,500 / 2,500 / 3,500 / 4,500 / 7,500 items; every item above level 5 is made from two
  parts of the next level and one of any deeper level (so low-level codes matter), with 2% scrap on one line;
  some stock on hand; 2,000 confirmed sales-order lines on level-0 items promised over 90 days; one level-4
  subassembly ("BM-COMMON") sits in 500 assemblies of levels 1–3.
  ours      run_mrp(): the set-based run (fixed number of queries, bulk writes) → s, queries, planned orders
  baseline  the same netting done level by level with the ORM, one item at a time (stock, open purchase
            orders and BOM lines read per item), writing nothing; stopped after BASELINE_BUDGET_S and scaled
            by items planned when it does not finish
  impact    eco_impact() of a draft ECO on BM-COMMON (where-used over all levels, cost and lead time before/after)

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_mfg_mrp.py

Writes tests/bench/results/mfg_mrp.json. Never a pass/fail test: compare with the baseline of the same run.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

RESULTS = REPO / "tests" / "bench" / "results" / "mfg_mrp.json"
LEVELS = (500, 1500, 2500, 3500, 4500, 7500)
DEMANDS = 2000
COMMON_USERS = 500
BASELINE_BUDGET_S = 60.0


def build() -> dict[str, object]:
    from django.utils import timezone

    from core.catalog.models import Item
    from core.catalog.services import get_or_create_unit
    from core.inventory.models import StockLevel
    from core.locations.models import Location, LocationKind
    from core.partners.services import create_customer
    from core.sales.models import SalesOrder, SalesOrderLine
    from verticals.discrete_mfg.models import BomLine, BomState, BomVersion, MfgItem, SalesOrderPromise
    from verticals.discrete_mfg.structure import refresh_low_level_codes

    rng = random.Random(7)
    today = timezone.localdate()
    unit = get_or_create_unit("pcs")
    plant = Location.objects.create(code="BM-PLANT", name="工厂", kind=LocationKind.INTERNAL)
    levels: list[list[int]] = []
    for depth, count in enumerate(LEVELS):
        items = Item.objects.bulk_create(
            (Item(sku=f"BM-{depth}-{n:05d}", name_zh=f"件{depth}-{n}", base_unit=unit) for n in range(count)), batch_size=5000
        )
        levels.append([item.pk for item in items])
    MfgItem.objects.bulk_create(
        (
            MfgItem(
                item_id=pk,
                make_or_buy="make" if depth < 5 else "buy",
                lead_time_days=rng.randint(1, 4) if depth < 5 else rng.randint(5, 20),
                standard_cost=Decimal("0") if depth < 5 else Decimal(rng.randint(1, 50)),
            )
            for depth, ids in enumerate(levels)
            for pk in ids
        ),
        batch_size=5000,
    )
    boms = BomVersion.objects.bulk_create(
        (BomVersion(item_id=pk, version=1, state=BomState.RELEASED, effective_from=today) for ids in levels[:5] for pk in ids),
        batch_size=5000,
    )
    bom_of = {bom.item_id: bom.pk for bom in boms}
    lines = []
    for depth, ids in enumerate(levels[:5]):
        for pk in ids:
            children = set(rng.sample(levels[depth + 1], 2)) | {rng.choice(levels[rng.randint(depth + 1, 5)])}
            for position, child in enumerate(sorted(children)):
                lines.append(
                    BomLine(
                        bom_id=bom_of[pk],
                        position=10 * (position + 1),
                        component_id=child,
                        quantity=Decimal(rng.randint(1, 3)),
                        unit=unit,
                        scrap_percent=Decimal("2") if position == 0 else Decimal("0"),
                    )
                )
    common = levels[4][0]
    users = rng.sample(levels[1] + levels[2] + levels[3], COMMON_USERS)
    lines.extend(BomLine(bom_id=bom_of[pk], position=99, component_id=common, quantity=Decimal("1"), unit=unit) for pk in users)
    BomLine.objects.bulk_create(lines, batch_size=5000)
    StockLevel.objects.bulk_create(
        (StockLevel(item_id=pk, location=plant, on_hand=Decimal(rng.randint(0, 40))) for ids in levels for pk in ids[::3]),
        batch_size=5000,
    )
    customer = create_customer(code="BM-CUST", name="客户")
    orders = SalesOrder.objects.bulk_create(
        (SalesOrder(number=f"BM-SO{n:05d}", customer=customer, source=plant, state="confirmed") for n in range(DEMANDS)),
        batch_size=5000,
    )
    SalesOrderLine.objects.bulk_create(
        (
            SalesOrderLine(sales_order=o, item_id=rng.choice(levels[0]), unit=unit, quantity=Decimal(rng.randint(1, 20)))
            for o in orders
        ),
        batch_size=5000,
    )
    SalesOrderPromise.objects.bulk_create(
        (SalesOrderPromise(sales_order=o, promised_on=today + timedelta(days=rng.randint(10, 90))) for o in orders),
        batch_size=5000,
    )
    refresh_low_level_codes(on=today)
    return {"plant": plant.pk, "common": common, "levels": levels}


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def baseline(plant_id: int) -> dict[str, object]:
    """Level-by-level MRP the way an ORM loop writes it: one item at a time, lot-for-lot, no dates."""
    from django.db.models import F, Sum

    from core.inventory.models import StockLevel
    from core.purchasing.models import OPEN_STATES, PurchaseOrderLine
    from core.sales.models import SalesOrderLine
    from verticals.discrete_mfg.models import BomLine, MfgItem

    began = time.perf_counter()
    gross: dict[int, Decimal] = defaultdict(Decimal)
    for line in SalesOrderLine.objects.filter(sales_order__source_id=plant_id, sales_order__state="confirmed"):
        gross[line.item_id] += line.quantity * line.unit_factor - line.shipped_quantity
    planned_total, items_planned, finished = Decimal(0), 0, True
    for level in range(0, 10):
        for profile in MfgItem.objects.filter(low_level_code=level).order_by("item_id"):
            if time.perf_counter() - began > BASELINE_BUDGET_S:
                finished = False
                break
            need = gross.pop(profile.item_id, Decimal(0))
            if not need:
                continue
            items_planned += 1
            on_hand = (
                StockLevel.objects.filter(item_id=profile.item_id, location_id=plant_id).aggregate(t=Sum("on_hand"))["t"] or 0
            )
            on_order = (
                PurchaseOrderLine.objects.filter(
                    item_id=profile.item_id, purchase_order__destination_id=plant_id, purchase_order__state__in=OPEN_STATES
                ).aggregate(t=Sum((F("quantity") - F("received_quantity")) * F("unit_factor")))["t"]
                or 0
            )
            net = max(need - on_hand - on_order, Decimal(0))
            if not net:
                continue
            planned_total += net
            for bom_line in BomLine.objects.filter(bom__item_id=profile.item_id, bom__state="released"):
                per = bom_line.quantity * (1 + bom_line.scrap_percent / 100) / bom_line.bom.output_quantity
                gross[bom_line.component_id] += net * per
        if not finished:
            break
    return {
        "seconds": time.perf_counter() - began,
        "finished": finished,
        "items_planned": items_planned,
        "planned_total": planned_total,
    }


def bench(setup: dict[str, object]) -> dict[str, object]:
    from django.db import connection
    from django.utils import timezone

    from verticals.discrete_mfg import boms
    from verticals.discrete_mfg.impact import eco_impact
    from verticals.discrete_mfg.models import PlannedOrder
    from verticals.discrete_mfg.mrp import run_mrp

    plant_id = int(setup["plant"])  # type: ignore[call-overload]
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        result = run_mrp(plant_id, actor="bench", today=timezone.localdate())
        ours_s = time.perf_counter() - began
    ours_queries, counter.count = counter.count, 0
    planned = PlannedOrder.objects.filter(run=result.run)
    ours_total = sum((p.quantity for p in planned), Decimal(0))
    with connection.execute_wrapper(counter):
        naive = baseline(plant_id)
    baseline_queries, counter.count = counter.count, 0
    scale = result.run.items_planned / max(int(naive["items_planned"]), 1)  # type: ignore[call-overload]

    common = int(setup["common"])  # type: ignore[call-overload]
    eco = boms.create_eco(common, title="bench", actor="bench")
    first = eco.new_version.lines.first()
    assert first is not None
    boms.update_bom_line(first.pk, quantity=first.quantity + 1)
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        impact = eco_impact(eco)
        impact_s = time.perf_counter() - began
    return {
        "items": sum(LEVELS),
        "levels": len(LEVELS),
        "demands": DEMANDS,
        "ours_s": round(ours_s, 2),
        "ours_queries": ours_queries,
        "ours_items_planned": result.run.items_planned,
        "ours_planned_orders": result.run.planned_order_count,
        "ours_messages": result.run.message_count,
        "ours_planned_quantity": str(ours_total),
        "baseline_s": round(float(naive["seconds"]), 2),  # type: ignore[arg-type]
        "baseline_finished": naive["finished"],
        "baseline_items_planned": naive["items_planned"],
        "baseline_queries": baseline_queries,
        "baseline_scaled_s": round(float(naive["seconds"]) * (1 if naive["finished"] else scale), 1),  # type: ignore[arg-type]
        "baseline_planned_quantity_lot_for_lot_undated": str(naive["planned_total"]),
        "impact_parents": len(impact.parents),
        "impact_direct_users": sum(1 for p in impact.parents if p.level == 1),
        "impact_ms": round(1000 * impact_s, 1),
        "impact_queries": counter.count,
    }


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
            setup = build()
            setup_s = time.perf_counter() - began
            results = bench(setup)
            results["setup_s"] = round(setup_s, 1)
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    report = {
        "benchmark": "mfg_mrp",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_1m": os.getloadavg()[0],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
