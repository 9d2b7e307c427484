"""Restaurant POS backflush: ticket lines ingested and their ingredients posted through the ledger.

Cases, in one run, in a tenant provisioned for the run (deleted afterwards):
  bulk_5000        ingest_ticket_lines with 5 000 lines per batch (one posting per batch, net per ingredient,
                   one INSERT for the lines, one upsert for theoretical usage); lines/s over 6 batches
  resend_5000      the same batch again (idempotent: nothing posted)
  line_by_line     baseline: the same service called once per ticket line (one posting per line), 300 lines

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_restaurant_pos.py

Writes tests/bench/results/restaurant_pos.json. Never a pass/fail test.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")
RESULTS = REPO / "tests" / "bench" / "results" / "restaurant_pos.json"
BATCH, BATCHES, SINGLE = 5000, 6, 300
DISHES = ("D-BROTH", "D-BEEF", "D-TRIPE", "D-TOFU", "D-GREENS", "D-SHRIMP")


def lines(prefix: str, count: int):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from verticals.restaurant.backflush import TicketLineInput

    now = timezone.now()
    return [
        TicketLineInput(
            f"{prefix}-{n // 4}",
            n % 4,
            DISHES[n % len(DISHES)],
            1,
            now,
            modifiers=("NO-CHILLI",) if n % 50 == 0 and n % 6 == 0 else (),
        )
        for n in range(count)
    ]


def measure() -> dict[str, object]:
    from verticals.restaurant.backflush import ingest_ticket_lines
    from verticals.restaurant.demo import build_hotpot_chain

    chain = build_hotpot_chain(outlets=2, prefix="PB", stock=1_000_000)
    bulk_outlet, single_outlet = chain.outlets
    ingest_ticket_lines(bulk_outlet.pk, lines("warm", 200))  # warm caches and the first posting
    samples, cpu = [], []
    for batch in range(BATCHES):
        payload = lines(f"B{batch}", BATCH)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = ingest_ticket_lines(bulk_outlet.pk, payload)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert result.posted == BATCH, result
    resend = lines("B0", BATCH)
    started = time.perf_counter()
    again = ingest_ticket_lines(bulk_outlet.pk, resend)
    resend_seconds = time.perf_counter() - started
    assert again.already_received == BATCH
    single = lines("S", SINGLE)
    started = time.perf_counter()
    for line in single:
        ingest_ticket_lines(single_outlet.pk, [line])
    single_seconds = time.perf_counter() - started
    bulk_rate = BATCH * BATCHES / sum(samples)
    return {
        "bulk_5000": {
            "lines_per_s": round(bulk_rate),
            "best_batch_lines_per_s": round(BATCH / min(samples)),
            # the app process's own CPU per line: what a less loaded machine approaches (PostgreSQL's share excluded)
            "app_cpu_lines_per_s": round(BATCH * BATCHES / sum(cpu)),
            "batch_seconds": [round(s, 3) for s in samples],
            "load_average": os.getloadavg()[0],
        },
        "resend_5000": {"lines_per_s": round(BATCH / resend_seconds), "seconds": round(resend_seconds, 3)},
        "baseline_line_by_line": {"lines_per_s": round(SINGLE / single_seconds), "seconds": round(single_seconds, 2)},
        "speedup": round(bulk_rate / (SINGLE / single_seconds), 1),
    }


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", ("restaurant",), "en")
    try:
        with schema_context(tenant.schema_name):
            results = measure()
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    result = {
        "benchmark": "restaurant_pos",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        **results,
        "notes": f"{BATCHES} batches of {BATCH} ticket lines over 6 dishes (one with a two-level recipe), one outlet; "
        f"baseline: {SINGLE} lines one call each at a second outlet.",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
