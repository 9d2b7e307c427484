"""Benchmark: what the document layer costs on top of the ledger, and inventory position with document sources.

Cases (one throw-away tenant, provisioned for the run and deleted afterwards):
  receipts    100 one-line goods receipts through receive_purchase_order (PO lock, tolerance check, receipt rows,
              ledger posting, received quantities, event, state transition) → receipts/s
              baseline: the same 100 one-line postings straight through post_moves
  big_receipt one goods receipt of a 1,000-line PO (and of a 10-line PO, to show the statement count does not
              grow with lines) → seconds and SQL statements; baseline: the naive per-row ORM way of writing the
              same effects (get_or_create + save of each level, save of each order line) in one transaction
  position    inventory_positions for 2,000 (item, location) pairs, each with an open PO line and half with a
              backorder → ms and queries; baseline: the same call with the purchasing and sales sources unregistered

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_documents.py

The database is migrated first (idempotent). Writes tests/bench/results/documents.json. Never a pass/fail test:
the machine's load moves every figure; compare ours with the baseline of the same run.
"""

from __future__ import annotations

import json
import os
import platform
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

RESULTS = REPO / "tests" / "bench" / "results" / "documents.json"
RECEIPTS = 100
BIG_PO_LINES = 1000
PAIRS = 2000


def bench_receipts() -> dict[str, object]:
    from core.inventory.factories import make_item, make_stock_location
    from core.inventory.services import MoveLine, post_moves
    from core.locations.models import LocationKind
    from core.locations.services import get_virtual_location
    from core.partners.services import create_supplier
    from core.purchasing.services import (
        OrderLineInput,
        ReceiptLineInput,
        create_purchase_order,
        receive_purchase_order,
        send_purchase_order,
        submit_purchase_order,
        update_purchasing_settings,
    )

    update_purchasing_settings(approval_threshold=Decimal("1e9"))
    supplier, shelf, item = create_supplier(code="SUP-BENCH", name="Bench"), make_stock_location(), make_item()
    po = create_purchase_order(
        supplier=supplier,
        destination=shelf,
        lines=[OrderLineInput(item_id=item.pk, quantity=Decimal(RECEIPTS * 2), unit_price=Decimal("3"))],
        actor="bench",
    )
    submit_purchase_order(po, actor="bench")
    send_purchase_order(po, actor="bench")
    line_id = po.lines.get().pk
    began = time.perf_counter()
    for n in range(RECEIPTS):
        receive_purchase_order(po, [ReceiptLineInput(line_id, Decimal("1"))], actor="bench", reference=f"bench-{n}")
    ours = time.perf_counter() - began
    supplier_location = get_virtual_location(LocationKind.SUPPLIER)
    began = time.perf_counter()
    for _ in range(RECEIPTS):
        post_moves(
            [MoveLine(item.pk, supplier_location.pk, shelf.pk, Decimal("1"), unit_cost=Decimal("3"))],
            idempotency_key=f"bench:{uuid.uuid4().hex}",
        )
    baseline = time.perf_counter() - began
    return {
        "receipts": RECEIPTS,
        "ours_receipts_per_s": round(RECEIPTS / ours, 1),
        "ours_ms_per_receipt": round(1000 * ours / RECEIPTS, 2),
        "baseline_postings_per_s": round(RECEIPTS / baseline, 1),
        "baseline_ms_per_posting": round(1000 * baseline / RECEIPTS, 2),
    }


def bench_big_receipt() -> dict[str, object]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.inventory.factories import make_item, make_stock_location
    from core.inventory.models import StockLevel
    from core.partners.services import create_supplier
    from core.purchasing.models import PurchaseOrderLine
    from core.purchasing.services import (
        OrderLineInput,
        ReceiptLineInput,
        create_purchase_order,
        receive_purchase_order,
        send_purchase_order,
        submit_purchase_order,
    )

    supplier, shelf = create_supplier(code="SUP-BIG", name="Big"), make_stock_location()
    items = [make_item() for _ in range(BIG_PO_LINES)]

    def receive_all(count: int, reference: str) -> tuple[float, int]:
        po = create_purchase_order(
            supplier=supplier,
            destination=shelf,
            lines=[OrderLineInput(item_id=i.pk, quantity=Decimal("10"), unit_price=Decimal("2")) for i in items[:count]],
            actor="bench",
        )
        submit_purchase_order(po, actor="bench")
        send_purchase_order(po, actor="bench")
        entries = [ReceiptLineInput(line.pk, Decimal("10")) for line in po.lines.order_by("pk")]
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            receive_purchase_order(po, entries, actor="bench", reference=reference)
        return time.perf_counter() - began, len(captured.captured_queries)

    small_s, small_queries = receive_all(10, "big-10")
    ours_s, ours_queries = receive_all(BIG_PO_LINES, "big-1000")
    order_lines = list(PurchaseOrderLine.objects.filter(purchase_order__number__isnull=False).order_by("-pk")[:BIG_PO_LINES])
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        for line in order_lines:
            level, _ = StockLevel.objects.get_or_create(item_id=line.item_id, location=shelf, lot=None)
            level.on_hand += 10
            level.save(update_fields=["on_hand"])
            line.received_quantity += 10
            line.save(update_fields=["received_quantity"])
    baseline_s = time.perf_counter() - began
    return {
        "lines": BIG_PO_LINES,
        "ours_seconds": round(ours_s, 3),
        "ours_statements": ours_queries,
        "ours_statements_10_lines": small_queries,
        "ours_seconds_10_lines": round(small_s, 3),
        "baseline_seconds": round(baseline_s, 3),
        "baseline_statements": len(captured.captured_queries),
    }


def bench_position() -> dict[str, object]:
    from django.apps import apps as django_apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.catalog.models import Item
    from core.catalog.services import get_or_create_unit
    from core.inventory import position
    from core.inventory.factories import make_stock_location
    from core.partners.services import create_customer, create_supplier
    from core.purchasing.models import PurchaseOrder, PurchaseOrderLine
    from core.sales.models import Backorder, SalesOrder, SalesOrderLine

    unit = get_or_create_unit("pcs")
    shelf = make_stock_location()
    supplier, customer = create_supplier(code="SUP-POS", name="Pos"), create_customer(code="CUS-POS", name="Pos")
    items = Item.objects.bulk_create(Item(sku=f"POS-{n:05d}", name_zh=f"商品{n}", base_unit=unit) for n in range(PAIRS))
    orders = PurchaseOrder.objects.bulk_create(
        PurchaseOrder(number=f"POS-PO-{n}", supplier=supplier, destination=shelf, state="sent") for n in range(PAIRS // 50)
    )
    PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(purchase_order=orders[n // 50], item=item, unit=unit, quantity=Decimal("10"))
        for n, item in enumerate(items)
    )
    sales = SalesOrder.objects.bulk_create(
        SalesOrder(number=f"POS-SO-{n}", customer=customer, source=shelf, state="allocated") for n in range(PAIRS // 100)
    )
    sales_lines = SalesOrderLine.objects.bulk_create(
        SalesOrderLine(sales_order=sales[n // 100], item=item, unit=unit, quantity=Decimal("3"))
        for n, item in enumerate(items[::2])
    )
    Backorder.objects.bulk_create(
        Backorder(line=line, item_id=line.item_id, location=shelf, quantity=Decimal("3")) for line in sales_lines
    )
    pairs = [(item.pk, shelf.pk) for item in items]

    def measure() -> tuple[float, int, dict[tuple[int, int], Decimal]]:
        position.inventory_positions(pairs[:10])  # warm
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = position.inventory_positions(pairs)
            elapsed = time.perf_counter() - began
        return elapsed, len(queries.captured_queries), result

    ours_s, ours_queries, ours = measure()
    # The baseline: without purchasing's and sales' declared sources, switched off for the measurement.
    declaring = [django_apps.get_app_config("purchasing"), django_apps.get_app_config("sales")]
    declared = [app.position_sources for app in declaring]
    for app in declaring:
        app.position_sources = ()
    try:
        baseline_s, baseline_queries, _ = measure()
    finally:
        for app, sources in zip(declaring, declared, strict=True):
            app.position_sources = sources
    return {
        "pairs": PAIRS,
        "ours_ms": round(1000 * ours_s, 1),
        "ours_queries": ours_queries,
        "ours_total_position": str(sum(ours.values())),  # 2,000 × 10 on order − 1,000 × 3 owed = 17,000
        "baseline_ms_ledger_only": round(1000 * baseline_s, 1),
        "baseline_queries": baseline_queries,
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
            results = {"receipts": bench_receipts(), "big_receipt": bench_big_receipt(), "position": bench_position()}
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))
    report = {
        "benchmark": "documents",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_1m": os.getloadavg()[0],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
