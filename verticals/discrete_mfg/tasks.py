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
    from ml_models.tracking import registered_model_name
    from tenants.schemas import current_schema
    from verticals.discrete_mfg import lead_times

    receipts = lead_times.tenant_receipts()
    if len(receipts) < lead_times.MIN_RECEIPTS:
        return 0
    # Named by the tenant's immutable id (tracking.registered_model_name), so deleting the tenant deletes it.
    name = registered_model_name(current_schema(), "discrete_mfg", "lead_time")
    model, history, result = lead_times.fine_tune(receipts, register_as=name)
    return lead_times.refresh_predictions(model, history, version=result.version)
