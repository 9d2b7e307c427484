"""Celery entry points for planning, run per tenant (thin: the work is in core.planning services).

The nightly job is ONE chain per tenant: shipments roll up into the demand history → forecasts → replenishment,
so replenishment always reads that night's forecasts (two independent timers guaranteed nothing).
"""

from __future__ import annotations

from celery import chain
from celery.schedules import crontab

from core.celery import app
from tenants.schemas import current_schema

NIGHTLY_ACTOR = "system:nightly"
# 02:00 tenant-local time by the beat's clock (CELERY_TIMEZONE): after the day's postings, before the buyers.
NIGHTLY_SCHEDULE = crontab(hour=2, minute=0)


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


@app.task(name="core.planning.tasks.fine_tune_demand_model")
def fine_tune_demand_model(upload_id: int) -> dict[str, object]:
    """Fine-tune on the whole demand history (started from an upload, whose row carries the progress),
    then write forecasts at once."""
    from core.planning.forecasting import fine_tune_upload

    upload = fine_tune_upload(upload_id)
    return {"upload_id": upload.pk, "model_version": upload.model_version, "promoted": upload.promoted}


@app.task(name="core.planning.tasks.refresh_forecasts")
def refresh_forecasts_task(run_id: int | None = None, trigger: str = "nightly") -> int:
    """Write today's forecasts from the current champion choice; returns the forecast rows written."""
    from core.planning.forecasting import refresh_forecasts

    return refresh_forecasts(run_id, trigger).rows_written


@app.task(name="core.planning.tasks.roll_up_shipments")
def roll_up_shipments_task(days: int = 3) -> int:
    """The ledger's shipments of the last days into the demand history (idempotent: rewritten per day)."""
    from core.planning.history import roll_up_shipments

    return roll_up_shipments(days)


def nightly_chain(schema: str) -> chain:
    """The tenant's nightly chain; every link carries the schema, so links sent by the worker stay in it."""
    headers = {"_schema_name": schema}
    return chain(
        roll_up_shipments_task.si().set(headers=headers),
        refresh_forecasts_task.si(None, "nightly").set(headers=headers),
        run_nightly_replenishment.si().set(headers=headers),
    )


@app.task(name="core.planning.tasks.nightly_forecast_and_replenishment", ignore_result=True)
def nightly_forecast_and_replenishment() -> str:
    """Per tenant (the planning app's periodic job): start the nightly chain; returns its id."""
    return str(nightly_chain(current_schema()).apply_async().id)
