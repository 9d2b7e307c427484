"""The tenant-aware Celery app: every task carries the schema it was enqueued from."""

from __future__ import annotations

import os
from pathlib import Path

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")

app = CeleryApp("jxc")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _configure_filesystem_broker() -> None:
    """The embedded default broker: folders under ./var/celery (must exist before the worker starts)."""
    from django.conf import settings

    if not str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        return
    queue_dir = Path(settings.CELERY_FILESYSTEM_DIR) / "queue"
    processed_dir = Path(settings.CELERY_FILESYSTEM_DIR) / "processed"
    for folder in (queue_dir, processed_dir):
        folder.mkdir(parents=True, exist_ok=True)
    app.conf.broker_transport_options = {
        # in == out: producers and the worker share one folder
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed_dir),
        "store_processed": False,
    }


_configure_filesystem_broker()
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
app.conf.task_reject_on_worker_lost = True
# Periodic jobs run once per tenant through core.tasks.dispatch_to_tenants; domain apps add entries.
app.conf.beat_schedule = {}
app.autodiscover_tasks()
app.autodiscover_tasks(["core"])
