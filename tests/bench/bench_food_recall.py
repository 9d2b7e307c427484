"""Recall tracing (food module): a lot that reached 500 stores through 2 transfer levels, traced forward.

Cases, measured in one run in a tenant provisioned for the run (deleted afterwards):
  trace_forward      verticals.food.recall.trace_forward: one recursive CTE for the lots, one query for all
                     their moves, one for the stock still held (goal: < 1 s)
  hop_by_hop         baseline in the same run: the walk a screen would do without the CTE, one query per
                     location reached (DC → hubs → stores), reading the moves leaving each
  quarantine         recall.quarantine: trace again and hold the lots

The ledger holds the recalled lot plus NOISE_LOTS other lots that travelled the same way, so the moves
table is not just the lot's own. Run:

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_food_recall.py

The database must be migrated (`manage.py migrate_schemas --shared`). Writes tests/bench/results/food_recall.json.
Never a pass/fail test: the machine's load moves the figures.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a local measurement, no sessions are signed
RESULTS = REPO / "tests" / "bench" / "results" / "food_recall.json"
HUBS = 10
STORES_PER_HUB = 50
NOISE_LOTS = 9


def timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def measure() -> dict[str, object]:
    from core.inventory.factories import make_item, make_stock_location, receive
    from core.inventory.models import Lot, StockMove
    from core.inventory.services import MoveLine, post_moves
    from core.locations.models import LocationKind
    from core.locations.services import get_virtual_location
    from verticals.food import recall

    item = make_item("MILK-BENCH", lot_tracked=True)
    dc = make_stock_location("DC")
    hubs = [make_stock_location(f"HUB{h:02d}") for h in range(HUBS)]
    stores = [[make_stock_location(f"S{h:02d}{s:02d}") for s in range(STORES_PER_HUB)] for h in range(HUBS)]
    customer = get_virtual_location(LocationKind.CUSTOMER)
    per_store = Decimal("4")
    per_hub = per_store * STORES_PER_HUB
    built = time.perf_counter()
    for number in range(NOISE_LOTS + 1):
        code = "RECALL-1" if number == 0 else f"OTHER-{number}"
        receive(item, dc, per_hub * HUBS, lot_code=code)
        lot = Lot.objects.get(item=item, code=code)
        post_moves(
            [MoveLine(item.pk, dc.pk, hub.pk, per_hub, lot_id=lot.pk) for hub in hubs],
            idempotency_key=f"bench:{code}:dc",
            document_type="transfer",
        )
        for hub, hub_stores in zip(hubs, stores, strict=True):
            post_moves(
                [MoveLine(item.pk, hub.pk, store.pk, per_store, lot_id=lot.pk) for store in hub_stores],
                idempotency_key=f"bench:{code}:{hub.code}",
                document_type="transfer",
            )
        post_moves(
            [MoveLine(item.pk, store.pk, customer.pk, Decimal("1"), lot_id=lot.pk) for row in stores for store in row],
            idempotency_key=f"bench:{code}:pos",
            document_type="pos_sales",
        )
    build_s = time.perf_counter() - built
    lot = Lot.objects.get(item=item, code="RECALL-1")

    def hop_by_hop() -> int:
        reached, frontier, moves = set(), [dc.pk], 0
        while frontier:
            location = frontier.pop()
            for to_id in StockMove.objects.filter(lot=lot, from_location_id=location).values_list("to_location_id", flat=True):
                moves += 1
                if to_id not in reached:
                    reached.add(to_id)
                    frontier.append(to_id)
        return moves

    trace = recall.trace_forward(lot)
    assert len(trace.in_stock) == HUBS * STORES_PER_HUB, len(trace.in_stock)
    trace_s = timed(lambda: recall.trace_forward(lot), 7)
    hop_s = timed(hop_by_hop, 3)
    the_recall, _ = recall.start_recall(lot, actor="bench")
    started = time.perf_counter()
    held = recall.quarantine(the_recall, actor="bench")
    quarantine_s = time.perf_counter() - started
    return {
        "ledger": {"moves": StockMove.objects.count(), "lots": NOISE_LOTS + 1, "build_s": round(build_s, 2)},
        "trace_forward": {
            "p50_s": round(statistics.median(trace_s), 4),
            "max_s": round(max(trace_s), 4),
            "moves_traced": len(trace.moves),
            "stores_with_stock": len(trace.in_stock),
            "goal_s": 1.0,
        },
        "baseline_hop_by_hop": {"p50_s": round(statistics.median(hop_s), 4), "max_s": round(max(hop_s), 4)},
        "quarantine": {"seconds": round(quarantine_s, 4), "lots_held": held},
    }


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", ("food",), "en")
    try:
        with schema_context(tenant.schema_name):
            results = measure()
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    result = {
        "benchmark": "food_recall",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        **results,
        "notes": f"1 DC → {HUBS} hubs → {HUBS * STORES_PER_HUB} stores, each store selling 1 unit; "
        f"{NOISE_LOTS} other lots of the item took the same path.",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
