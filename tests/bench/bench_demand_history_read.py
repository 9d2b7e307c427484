"""Benchmark: reading a tenant's whole demand history into the daily panel, 10,000 series × 150 days (1.5 M rows).

Setup (one throw-away tenant, provisioned for the run and deleted afterwards): 1,000 items × 10 locations, 150
days of upload rows each (quantity, price, promo), written with COPY.
  ours      core.planning.history.read_history (one COPY of the per-day aggregate, parsed by pandas) and
            core.planning.known_future.build_demand_panel (values + open/promo/price/holiday channels, 28 days ahead)
  baseline  the ORM read the old history_panel() did: values_list over every row into a DataFrame (no channels)

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_demand_history_read.py

Writes tests/bench/results/demand_history_read.json. Never a pass/fail test: compare with the baseline of the same run.
"""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

RESULTS = REPO / "tests" / "bench" / "results" / "demand_history_read.json"
ITEMS = int(os.environ.get("BENCH_ITEMS", "1000"))
LOCATIONS = 10
DAYS = 150
CREATED = "2026-06-01 00:00:00+00"
CREATED = "2026-06-01 00:00:00+00"


def build() -> int:
    import numpy as np
    from django.db import connection

    from core.catalog.models import Item, Unit
    from core.locations.models import Location
    from core.planning.models import DemandHistoryUpload

    unit = Unit.objects.first() or Unit.objects.create(code="pcs", name="件")
    Item.objects.bulk_create(Item(sku=f"B-{i:05d}", name_zh=f"商品{i}", base_unit=unit) for i in range(ITEMS))
    Location.objects.bulk_create(Location(code=f"ST-{j:03d}", name=f"门店{j}") for j in range(LOCATIONS))
    items = list(Item.objects.filter(sku__startswith="B-").values_list("pk", flat=True))
    locations = list(Location.objects.filter(code__startswith="ST-").values_list("pk", flat=True))
    upload = DemandHistoryUpload.objects.create(filename="bench.csv", sha256="0", size=0, status="validated")
    rng = np.random.default_rng(0)
    start = date(2026, 1, 1)
    buffer = io.StringIO()
    for item_id in items:
        for location_id in locations:
            quantities = rng.poisson(5, DAYS)
            for d in range(DAYS):
                day = (start + timedelta(days=d)).isoformat()
                promo = "t" if d % 10 == 0 else "f"
                buffer.write(f"{item_id}\t{location_id}\t{day}\tupload\t{quantities[d]}\t9.9\t{promo}\t{upload.pk}\t{CREATED}\n")
    buffer.seek(0)
    columns = "item_id, location_id, date, source, quantity, price, promo, upload_id, created_at"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY planning_demandhistoryrow ({columns}) FROM STDIN") as copy:
        while block := buffer.read(1 << 20):
            copy.write(block)
    return len(items) * len(locations) * DAYS


def bench() -> dict[str, float]:
    import pandas as pd

    from core.planning.history import read_history
    from core.planning.known_future import build_demand_panel
    from core.planning.models import DemandHistoryRow

    began = time.perf_counter()
    table = read_history()
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    built = build_demand_panel(horizon=28, history=table)
    panel_s = time.perf_counter() - began
    assert built is not None
    panel, _ = built

    began = time.perf_counter()
    rows = DemandHistoryRow.objects.filter(superseded_by__isnull=True).values_list("item_id", "location_id", "date", "quantity")
    frame = pd.DataFrame(list(rows), columns=["item", "location", "date", "quantity"])
    frame["quantity"] = frame["quantity"].astype(float)
    orm_s = time.perf_counter() - began
    return {
        "rows": float(len(table)),
        "series": float(len(panel.keys)),
        "ours_read_s": round(read_s, 2),
        "ours_panel_s": round(panel_s, 2),
        "ours_total_s": round(read_s + panel_s, 2),
        "baseline_orm_read_s": round(orm_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    call_command("migrate", verbosity=0)
    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "zh-hans")
    try:
        with schema_context(tenant.schema_name):
            began = time.perf_counter()
            written = build()
            setup_s = time.perf_counter() - began
            results = bench()
    finally:
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "setup": {"rows_written": written, "setup_s": round(setup_s, 1), "items": ITEMS, "locations": LOCATIONS, "days": DAYS},
        "results": results,
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
