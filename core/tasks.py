"""Platform tasks: the per-tenant dispatcher for periodic jobs, and on-commit enqueueing."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context

from core.celery import app
from tenants.schemas import current_schema

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send a task only once the current transaction commits (never from inside one).

    The schema is read now, at enqueue time, and carried in the message, so the worker runs the task
    in the tenant that asked for it even if the connection moves on before commit.

    If the broker is down when the transaction commits, the failure is logged and the caller's request still
    succeeds: what was committed stays committed, and every enqueued job has a durable trail that brings it
    back (the event outbox is drained by the periodic beat; a queued fine-tune is failed by the job reaper
    and can be started again). Publishing gives up after about a second (CELERY_TASK_PUBLISH_RETRY_POLICY).
    """
    schema = current_schema()

    def publish() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # kombu raises its own and the transports' errors; all mean "broker unreachable"
            logger.error("could not enqueue %s for %s: broker unreachable", task.name, schema, exc_info=True)

    def send() -> None:
        if current_schema() == schema:
            # Re-entering the same schema would still reset django-tenants' search_path cache and cost the
            # next statement a `SET search_path` round trip (one per posting in a stream of postings).
            publish()
            return
        with schema_context(schema):
            publish()

    transaction.on_commit(send)


@app.task(name="core.tasks.dispatch_to_tenants")
def dispatch_to_tenants(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Fan a periodic job out to every tenant: one message per tenant, each carrying its schema."""
    task = app.tasks[task_name]
    count = 0
    for schema_name in get_tenant_model().objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        with schema_context(schema_name):
            task.apply_async(args=args, kwargs=kwargs)
        count += 1
    return count


@app.task(name="core.tasks.dispatch_to_module_tenants")
def dispatch_to_module_tenants(module_code: str, task_name: str, *args: Any, **kwargs: Any) -> int:
    """Fan a vertical's periodic job out to the tenants that may use the module now (trial, paid or in grace).

    A read-only (canceled) or disabled module gets no run: a job of the module writes on its behalf."""
    from billing.entitlements import can_write_module

    task = app.tasks[task_name]
    count = 0
    for tenant in get_tenant_model().objects.exclude(schema_name="public").order_by("pk"):
        if not can_write_module(tenant, module_code):
            continue
        with schema_context(tenant.schema_name):
            task.apply_async(args=args, kwargs=kwargs)
        count += 1
    return count


@app.task(name="core.tasks.heartbeat")
def heartbeat() -> dict[str, str]:
    """A trivial per-tenant job: proves the dispatcher and the schema switch work in a live worker."""
    return {"schema": current_schema(), "at": timezone.now().isoformat()}


@app.task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete the current tenant's expired sessions (sessions live in each tenant's schema)."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@app.task(name="core.tasks.reap_stuck_jobs")
def reap_stuck_jobs() -> dict[str, int]:
    """Per tenant, every minute: long jobs whose heartbeat stopped (a killed worker) become failed and retryable."""
    from core.jobs import reap_all

    counts = reap_all()
    if any(counts.values()):
        logger.warning("reaped stuck jobs in %s: %s", current_schema(), counts)
    return counts
