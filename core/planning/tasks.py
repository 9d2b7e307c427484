"""Celery entry points for planning, run per tenant by the dispatcher (thin: the work is in core.planning.services)."""

from __future__ import annotations

from core.celery import app
from tenants.schemas import current_schema

NIGHTLY_ACTOR = "system:nightly"


@app.task(name="core.planning.tasks.run_nightly_replenishment", ignore_result=True)
def run_nightly_replenishment() -> int | None:
    """Daily: one replenishment run over every location of the current tenant; returns the proposals it made.

    The run key is the day, so a retried or doubly delivered task finds the day's run and proposes nothing twice.
    A tenant whose subscription left it read-only gets no run (None): nobody there could act on a proposal.
    """
    from django.utils import timezone
    from django_tenants.utils import get_tenant_model

    from billing.entitlements import can_write_module
    from core.planning.services import run_replenishment

    tenant = get_tenant_model().objects.get(schema_name=current_schema())
    if not can_write_module(tenant, "core"):
        return None
    run = run_replenishment(run_key=f"nightly:{timezone.localdate().isoformat()}", actor=NIGHTLY_ACTOR)
    return run.proposals_created
