"""Celery entry points of discrete manufacturing (thin: they call services)."""

from __future__ import annotations

from core.celery import app


@app.task(name="verticals.discrete_mfg.tasks.scan_idle_stock", ignore_result=True)
def scan_idle_stock() -> int:
    """Daily, per tenant: record the idle-stock scan event the rule pack judges (return, sell or reuse)."""
    from verticals.discrete_mfg.services import scan_idle_stock as scan

    return scan()


@app.task(name="verticals.discrete_mfg.tasks.fine_tune_lead_times", ignore_result=True)
def fine_tune_lead_times() -> int:
    """Fine-tune the lead-time model on the tenant's receipts, register it, and refresh the predictions."""
    from django.db import connection

    from verticals.discrete_mfg import lead_times

    receipts = lead_times.tenant_receipts()
    if len(receipts) < lead_times.MIN_RECEIPTS:
        return 0
    tenant_id = getattr(getattr(connection, "tenant", None), "pk", 0)
    model, history, result = lead_times.fine_tune(receipts, register_as=f"t{tenant_id}.discrete_mfg.lead_time")
    return lead_times.refresh_predictions(model, history, version=result.version)
