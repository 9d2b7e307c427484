"""Tenant-wide platform tasks: keeping the pool of spare schemas topped up."""

from __future__ import annotations

from core.celery import app


@app.task(name="tenants.tasks.refill_schema_pool")
def refill_schema_pool() -> int:
    """Clone spares until TENANT_SPARE_SCHEMAS wait; idempotent, so duplicate messages are harmless."""
    from tenants.template import fill_pool

    return fill_pool()
