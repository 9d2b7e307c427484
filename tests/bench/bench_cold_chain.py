"""Cold-chain ingest and excursion reads (food module).

Cases, measured in one run in a tenant provisioned for the run (deleted afterwards):
  bulk_create_5000    baseline: Django bulk_create of 5 000 readings, no checks (the floor of any ingest)
  ingest_5000         record_readings: 5 000 new readings for 20 sensors (lock, check every row, conflict
                      lookup, one INSERT … ON CONFLICT … RETURNING); readings/s over 40 batches = 200 000 rows
  reingest_5000       record_readings of a batch already stored (the idempotent no-op path)
  open_excursions     selectors.open_excursions() over 20 sensors with 10 000 readings each (5 of them open)
  excursions_30d      selectors.excursions(since=30 days) for one sensor, and for all 20

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_cold_chain.py

The database must be migrated (`manage.py migrate`). Writes tests/bench/results/cold_chain.json. Never a
pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a local measurement, no sessions are signed
RESULTS = REPO / "tests" / "bench" / "results" / "cold_chain.json"
SENSORS = 20
BATCH = 5000
BATCHES = 40


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    cuts = statistics.quantiles(samples_ns, n=100)
    return {"p50_ms": round(cuts[49] / 1e6, 3), "p95_ms": round(cuts[94] / 1e6, 3), "n": len(samples_ns)}


def timed(fn, rounds: int) -> list[int]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - started)
    return samples


def measure() -> dict[str, object]:
    from django.db import transaction
    from django.utils import timezone

    from core.locations.services import create_warehouse, stock_location_of
    from verticals.food import selectors, services
    from verticals.food.models import ColdChainReading, ColdChainSensor
    from verticals.food.services import ReadingInput

    location = stock_location_of(create_warehouse("WH-BENCH", "Bench"))
    sensors = [
        services.create_sensor(code=f"LOG-{n:02d}", location_id=location.pk, min_c=Decimal("0"), max_c=Decimal("4"))
        for n in range(SENSORS)
    ]
    start = timezone.now() - timedelta(days=20)
    per_sensor = BATCH // SENSORS

    def batch(number: int) -> list[ReadingInput]:
        # a minute apart per sensor; now and then a run of warm readings, so excursions exist
        # and every fourth sensor out of range for its last 30 minutes, so open excursions exist too
        rows = []
        last_minute = BATCHES * per_sensor - 1
        for step in range(per_sensor):
            minute = number * per_sensor + step
            for index, sensor in enumerate(sensors):
                warm = minute % 500 < 12 or (index % 4 == 0 and minute > last_minute - 30)
                rows.append(ReadingInput(sensor.code, start + timedelta(minutes=minute), "6.5" if warm else "2.4"))
        return rows

    # baseline: a throwaway sensor, so its rows do not change the excursion figures
    spare = services.create_sensor(code="LOG-SPARE", location_id=location.pk, min_c=Decimal("0"), max_c=Decimal("4"))
    rows = [
        ColdChainReading(sensor=spare, recorded_at=start + timedelta(minutes=i), temperature_c=Decimal("2.4"), out_of_range=False)
        for i in range(BATCH)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        ColdChainReading.objects.bulk_create(rows)
    bulk_s = time.perf_counter() - started
    ColdChainReading.objects.filter(sensor=spare).delete()
    ColdChainSensor.objects.filter(pk=spare.pk).delete()

    ingest_ns = []
    for number in range(BATCHES):
        rows_in = batch(number)
        started_ns = time.perf_counter_ns()
        result = services.record_readings(rows_in)
        ingest_ns.append(time.perf_counter_ns() - started_ns)
        assert result.stored == BATCH, result
    again = batch(BATCHES - 1)
    reingest_ns = timed(lambda: services.record_readings(again), 5)
    total = ColdChainReading.objects.count()

    open_ns = timed(selectors.open_excursions, 20)
    still_open = len(selectors.open_excursions())
    one_ns = timed(lambda: selectors.excursions(since=timezone.now() - timedelta(days=30), sensor_id=sensors[0].pk), 20)
    all_ns = timed(lambda: selectors.excursions(since=timezone.now() - timedelta(days=30)), 10)
    found = len(selectors.excursions(since=timezone.now() - timedelta(days=30), sensor_id=sensors[0].pk, limit=10_000))
    return {
        "bulk_create_5000": {"seconds": round(bulk_s, 3), "readings_per_s": round(BATCH / bulk_s)},
        "ingest_5000": {
            **percentiles(ingest_ns),
            "readings_per_s_p50": round(BATCH / (statistics.median(ingest_ns) / 1e9)),
            "rows_after": total,
        },
        "reingest_5000": {
            **percentiles(reingest_ns),
            "readings_per_s_p50": round(BATCH / (statistics.median(reingest_ns) / 1e9)),
        },
        "open_excursions_20_sensors": {**percentiles(open_ns), "open": still_open},
        "excursions_30d_one_sensor": {**percentiles(one_ns), "excursions": found},
        "excursions_30d_all_sensors": percentiles(all_ns),
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
        "benchmark": "cold_chain",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "baseline_bulk_create_5000": results.pop("bulk_create_5000"),
        **results,
        "notes": f"{SENSORS} sensors, {BATCH} readings per batch, {BATCHES} batches; the excursion reads run over all "
        f"{BATCH * BATCHES} readings (one a minute per sensor, 12 warm minutes in every 500).",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
