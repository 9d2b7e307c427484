"""Celery entry points of the restaurant module (thin: the work is in the services)."""

from __future__ import annotations

from typing import Any

from core.celery import app


@app.task(name="verticals.restaurant.tasks.fine_tune_spoilage_model", ignore_result=True)
def fine_tune_spoilage_model() -> dict[str, Any]:
    """Weekly per tenant: fine-tune the spoilage model on the tenant's own waste records (MLflow-tracked)."""
    from verticals.restaurant.spoilage import fine_tune_on_own_waste

    return fine_tune_on_own_waste()


@app.task(name="verticals.restaurant.tasks.check_spoilage", ignore_result=True)
def check_spoilage() -> int:
    """Every two hours per tenant: evaluate the rule pack's `restaurant.lot_checked` rules on each risky lot
    (waste alerts and "use first" tags come from the rules), returns the lots checked."""
    from verticals.restaurant.services_rules import check_lots

    return check_lots()


@app.task(name="verticals.restaurant.tasks.kitchen_day_ahead", ignore_result=True)
def kitchen_day_ahead() -> int:
    """Daily per tenant in the afternoon: tomorrow's prep-list events and today's par check for the rule
    pack (rainy weekend, covers jump, below half of par); returns the events written."""
    from datetime import timedelta

    from django.utils import timezone

    from verticals.restaurant.planning import check_par_levels, publish_prep_lists

    today = timezone.localdate()
    return publish_prep_lists(today + timedelta(days=1)) + check_par_levels(today)
