"""Two replenishment runs at the same moment (a retried nightly task beside a manager's click) order once."""

from __future__ import annotations

import threading
from decimal import Decimal as D

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item
from core.partners.services import create_supplier
from core.planning.models import ReplenishmentProposal
from core.planning.services import run_replenishment
from tests.planning.factories import make_store_location, source_from, write_forecast

RUNS = 4


def test_concurrent_runs_leave_one_open_proposal_per_store(committed_tenant):
    # given: 10 stores below their reorder point, committed so that every thread's connection sees them
    with schema_context(committed_tenant.schema):
        today = timezone.localdate()
        item = make_item()
        supplier = create_supplier(code="SUP-RACE", name="S", declared_lead_time_days=5)
        for n in range(10):
            store = make_store_location(f"RACE-{n:02d}")
            write_forecast(item, store, today, 15, "8", "10", "12")
            source_from(item, store, supplier=supplier)
    barrier = threading.Barrier(RUNS)
    failures: list[BaseException] = []

    def run(key: str) -> None:
        try:
            with schema_context(committed_tenant.schema):
                barrier.wait()
                run_replenishment(run_key=key, today=today)
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            failures.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run, args=(f"race-{n}",)) for n in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then: no run failed, and each store has exactly one proposal
    assert failures == []
    with schema_context(committed_tenant.schema):
        assert ReplenishmentProposal.objects.count() == 10
        assert set(ReplenishmentProposal.objects.values_list("quantity", flat=True)) == {
            ReplenishmentProposal.objects.first().quantity
        }
        assert ReplenishmentProposal.objects.first().quantity > D("0")
