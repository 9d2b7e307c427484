"""Food periodic jobs (declared on FoodConfig.periodic_jobs; the beat runs them per entitled tenant)."""

from __future__ import annotations

from core.celery import app


@app.task(name="verticals.food.tasks.escalate_deviations", ignore_result=True)
def escalate_deviations() -> int:
    """Every 15 minutes per tenant: open deviations past their deadline escalate (the rules decide who hears)."""
    from verticals.food.deviations import escalate_overdue

    return escalate_overdue()
