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
    """
    schema = current_schema()

    def send() -> None:
        if current_schema() == schema:
            # Re-entering the same schema would still reset django-tenants' search_path cache and cost the
            # next statement a `SET search_path` round trip (one per posting in a stream of postings).
            task.apply_async(args=args, kwargs=kwargs)
            return
        with schema_context(schema):
            task.apply_async(args=args, kwargs=kwargs)

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
