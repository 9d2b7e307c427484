"""Celery entry points for the rules engine, run per tenant by the dispatcher: scheduled rules, near-expiry lots."""

from __future__ import annotations

from core.celery import app


@app.task(name="core.rules.tasks.run_scheduled_rules", ignore_result=True)
def run_scheduled_rules() -> int:
    """Run the current tenant's `cron:` rules for their due slots (idempotent per rule version and slot)."""
    from core.rules.schedules import run_scheduled_rules as run

    return len(run())


@app.task(name="core.rules.tasks.record_near_expiry_lots", ignore_result=True)
def record_near_expiry_lots() -> int:
    """Daily: record `lot.near_expiry` for the current tenant's lots close to expiry (once per lot and day)."""
    from core.rules.lots import record_near_expiry_lots as record

    return record()
