"""Long jobs that survive the death of the worker running them: a heartbeat while they run, and a reaper
that marks a job whose heartbeat stopped as failed, so the user can start it again.

A job is a row with a status and a timestamp (e.g. a sales-history upload being fine-tuned). While the
work runs, `heartbeat()` bumps the timestamp from a background thread every JOB_HEARTBEAT_SECONDS, even
through a long step that reports no progress. If the worker is killed (`kill -9`, the OOM killer, a lost
host) the beats stop; the periodic `core.tasks.reap_stuck_jobs` then finds the row older than
JOB_STALE_AFTER_SECONDS and applies the job's failure fields. Each kind of job registers its reaper:

    register_reaper("ml_models.fine_tune", reap_stuck_fine_tunes)   # in its AppConfig.ready()

Why not rely on the broker alone: the filesystem broker deletes a message when a worker takes it, so a
crash loses it for good; Redis gives it back only after the visibility timeout. Either way the row would
stay "training" and refuse a retry. With acks_late and reject_on_worker_lost a redelivered task may also
run; a job therefore checks its row is still running before it starts (see `still_running`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

Reaper = Callable[[timedelta], int]
_REAPERS: dict[str, Reaper] = {}


def register_reaper(name: str, reaper: Reaper) -> None:
    """`reaper(stale_after)` marks this kind's stuck jobs failed in the current tenant and returns how many."""
    _REAPERS[name] = reaper


def reapers() -> dict[str, Reaper]:
    return dict(_REAPERS)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


@contextmanager
def heartbeat(model: type[Model], pk: Any, *, field: str = "updated_at", every: float | None = None) -> Iterator[None]:
    """Bump `model(pk).field` to now every `every` seconds (JOB_HEARTBEAT_SECONDS) until the block ends.

    The beats run in a thread with its own database connection, in the schema the job runs in, as plain
    autocommitted UPDATEs: a reader sees them at once, whatever transaction the job itself is in.
    """
    interval = float(every if every is not None else settings.JOB_HEARTBEAT_SECONDS)
    schema: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' connection
    stop = threading.Event()

    def beat() -> None:
        try:
            connection.set_schema(schema)  # type: ignore[attr-defined]
            while not stop.wait(interval):
                model._default_manager.filter(pk=pk).update(**{field: timezone.now()})
        except Exception:  # a missed beat must never break the job; the reaper errs on the side of waiting
            logger.warning("heartbeat of %s %s stopped", model.__name__, pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def reap(running: QuerySet[Any], *, field: str = "updated_at", older_than: timedelta, **failed: Any) -> int:
    """One UPDATE: every row of `running` whose `field` is older than `older_than` gets the `failed` fields.

    A job that beats between the read and the write is not matched: the condition is part of the UPDATE.
    """
    now = timezone.now()
    return running.filter(**{f"{field}__lt": now - older_than}).update(**failed, **{field: now})


def reap_all() -> dict[str, int]:
    """Run every registered reaper in the current tenant; a failing one is logged and the others still run."""
    counts: dict[str, int] = {}
    for name, reaper in reapers().items():
        try:
            counts[name] = reaper(stale_after())
        except Exception:
            logger.exception("reaper %s failed", name)
    return counts
