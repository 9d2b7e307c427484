"""The tenant-aware Celery app: every task carries the schema it was enqueued from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kombu import pools
from tenant_schemas_celery.app import CeleryApp

from core.schedule import RegistrySchedule

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
        # Redis and SQS hand an unacknowledged task to another worker after the visibility timeout: sized
        # to the longest task, not kombu's 1 h default, so a task whose worker died comes back soon. The
        # filesystem broker has none: a task taken by a worker that dies is lost (README); the job reaper
        # (core/jobs.py) is what turns it into a failed, retryable job.
        app.conf.broker_transport_options = {"visibility_timeout": _settings_value("CELERY_TASK_TIME_LIMIT", 1800) + 60}
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
    # kombu also keeps producer pools per broker address in a process-wide registry: pointing back at an
    # address used before would hand out the pool whose connections were just closed.
    pools.reset()


def _settings_value(name: str, default: int) -> int:
    from django.conf import settings

    return int(getattr(settings, name, default))


configure_broker()
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
app.conf.task_reject_on_worker_lost = True
# A request that enqueues while the broker is down waits about a second, not kombu's default retries.
app.conf.task_publish_retry_policy = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
app.conf.broker_connection_timeout = 2
# The longest task must end within this (enforced by the prefork pool); the visibility timeout follows it.
app.conf.task_time_limit = _settings_value("CELERY_TASK_TIME_LIMIT", 1800)
# Periodic jobs are declared by the modules and domain apps (`periodic_jobs`, see core/modules.py); the schedule
# is built from the registry when beat first reads it (core/schedule.py).
app.conf.beat_schedule = RegistrySchedule()
app.autodiscover_tasks()
app.autodiscover_tasks(["core"])
