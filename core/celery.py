"""The tenant-aware Celery app: every task carries the schema it was enqueued from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")

app = CeleryApp("jxc")
app.config_from_object("django.conf:settings", namespace="CELERY")


def configure_broker(url: str | None = None, filesystem_dir: str | Path | None = None) -> tuple[str, dict[str, Any]]:
    """Point this process's producer at a broker; by default the one the settings name.

    The embedded default is the `filesystem://` broker: two folders under CELERY_FILESYSTEM_DIR that
    the worker and every producer must share (in == out) and that must exist before the worker starts.
    Tests call this to give a session its own folder (and its worker the same one through the
    CELERY_FILESYSTEM_DIR environment variable), or to point the app at a broker that is down.
    Returns the previous (url, transport options) for `restore_broker`.
    """
    from django.conf import settings

    previous = (str(app.conf.broker_url or ""), dict(app.conf.broker_transport_options or {}))

    url = url or settings.CELERY_BROKER_URL
    app.conf.broker_url = url
    if str(url).startswith("filesystem://"):
        base = Path(filesystem_dir or settings.CELERY_FILESYSTEM_DIR)
        queue_dir, processed_dir = base / "queue", base / "processed"
        for folder in (queue_dir, processed_dir):
            folder.mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed_dir),
            "store_processed": False,
        }
    else:
        app.conf.broker_transport_options = {}
    _drop_pooled_connections()
    return previous


def restore_broker(previous: tuple[str, dict[str, Any]]) -> None:
    app.conf.broker_url, app.conf.broker_transport_options = previous[0], dict(previous[1])
    _drop_pooled_connections()


def _drop_pooled_connections() -> None:
    # Pooled producer connections keep the options they were opened with.
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    # The producer pool wraps the closed connection pool: drop it too (as Celery does after a fork).
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


configure_broker()
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
app.conf.task_reject_on_worker_lost = True
# Periodic jobs run once per tenant through core.tasks.dispatch_to_tenants; domain apps add entries.
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "core.tasks.dispatch_to_tenants",
        "schedule": 24 * 60 * 60,
        "args": ("core.tasks.clear_expired_sessions",),
    },
}
# Drain each tenant's event outbox and send due webhook retries (core/events/tasks.py).
app.conf.beat_schedule["events-process-outbox"] = {
    "task": "core.tasks.dispatch_to_tenants",
    "schedule": 60.0,
    "args": ("core.events.tasks.process_outbox",),
}
app.conf.beat_schedule["events-purge-outbox"] = {
    "task": "core.tasks.dispatch_to_tenants",
    "schedule": 24 * 60 * 60,
    "args": ("core.events.tasks.purge_outbox",),
}
# Nightly per tenant: shipments → forecasts → replenishment as ONE chain (core/planning/tasks.py), so
# replenishment reads that night's forecasts. The planning app also declares it as a PeriodicJob; this entry
# keeps it scheduled until beat reads the registry.
app.conf.beat_schedule["planning-nightly-forecast-replenishment"] = {
    "task": "core.tasks.dispatch_to_tenants",
    "schedule": 24 * 60 * 60,
    "args": ("core.planning.tasks.nightly_forecast_and_replenishment",),
}
# Repair entitlements that drifted from Stripe (a missed webhook); public schema, once an hour.
app.conf.beat_schedule["billing-reconcile"] = {"task": "billing.tasks.reconcile_billing", "schedule": 60 * 60}
# Scheduled (cron:) rules, every minute per tenant; idempotent per rule version and slot (core/rules/schedules.py).
app.conf.beat_schedule["rules-scheduled"] = {
    "task": "core.tasks.dispatch_to_tenants",
    "schedule": 60.0,
    "args": ("core.rules.tasks.run_scheduled_rules",),
}
# Daily lot.near_expiry events for the rules engine (core/rules/lots.py); once per lot and day.
app.conf.beat_schedule["rules-near-expiry-lots"] = {
    "task": "core.tasks.dispatch_to_tenants",
    "schedule": 24 * 60 * 60,
    "args": ("core.rules.tasks.record_near_expiry_lots",),
}
app.autodiscover_tasks()
app.autodiscover_tasks(["core"])
