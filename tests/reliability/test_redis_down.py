"""Redis (the broker) goes down while orders are taken: every order the app accepted is kept, with its event in
the outbox, and the outbox drains once Redis is back and the beat's drain reaches a worker. Runs its own
redis-server on a free port, never the shared one."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import schema_context

from core.celery import app, configure_broker, restore_broker
from core.events.models import OutboxMessage
from core.sales.models import SalesOrder
from tests.documents.support import make_so
from tests.reliability.support import start_redis, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow]
ORDERS = 8


def test_orders_taken_while_redis_is_down_are_all_kept_and_the_outbox_drains_on_return(committed_tenant, tmp_path):
    from core.inventory.factories import make_item, make_stock_location

    schema = committed_tenant.schema
    redis = start_redis(tmp_path)
    previous = configure_broker(redis.url)
    worker = None
    try:
        with schema_context(schema):
            item, shelf = make_item(), make_stock_location()
        redis.process.terminate()
        redis.process.wait(timeout=30)
        assert not redis.ping()

        accepted, started = [], time.monotonic()
        with schema_context(schema):
            for _ in range(ORDERS):
                accepted.append(make_so([(item, "2")], source=shelf).pk)  # each commits; the enqueue after it fails
            pending = OutboxMessage.objects.filter(processed_at__isnull=True).count()
            kept = SalesOrder.objects.filter(pk__in=accepted).count()
        per_order = (time.monotonic() - started) / ORDERS
        assert kept == ORDERS, "every accepted order is in the database"
        assert pending >= ORDERS, "and its event waits in the outbox"

        redis = start_redis(tmp_path, port=redis.port)  # back, on the same address
        returned = time.monotonic()
        worker = start_worker(tmp_path, "after-redis", CELERY_BROKER_URL=redis.url)
        # What the beat sends every minute: one drain per tenant.
        app.send_task("core.tasks.dispatch_to_tenants", args=("core.events.tasks.process_outbox",))

        def drained() -> bool:
            with schema_context(schema):
                return not OutboxMessage.objects.filter(processed_at__isnull=True).exists()

        wait_until(drained, 180, "the outbox drains after Redis returns", interval=0.5)
        print(
            f"\nRedis down: {ORDERS} orders accepted ({per_order:.2f} s each), {ORDERS - kept} lost, {pending} events held; "
            f"outbox drained {time.monotonic() - returned:.1f} s after Redis returned"
        )
    finally:
        if worker is not None:
            worker.stop()
        restore_broker(previous)
        if redis.process.poll() is None:
            redis.process.terminate()
            redis.process.wait(timeout=30)
