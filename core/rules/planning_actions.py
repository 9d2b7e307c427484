"""The adjust_safety_stock action: a temporary change of a category's safety stock, read by replenishment.

The period starts on the day the rule looked at (`calendar.date`: the weather day for a weather rule, else
today) and lasts `days` whole days. A weather subject's location limits the change to that location. The row's
unique key (rule version, event, subject, category) makes a redelivered event add nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from core.catalog.models import Category
from core.planning.models import SafetyStockAdjustment
from core.rules.actions import Action, ActionContext, ActionFailed, register_action_handler
from core.rules.conditions import MISSING


def _start(ctx: ActionContext) -> dt.date:
    day = ctx.lookup("calendar.date")
    if isinstance(day, dt.date):
        return day
    return timezone.localdate()


def _location_id(ctx: ActionContext) -> Any:
    found = ctx.lookup("signal.location_id")
    return None if found is MISSING else found


def adjust_safety_stock(action: Action, ctx: ActionContext) -> str:
    category = action["category"]
    if not Category.objects.filter(name=category).exists():
        raise ActionFailed(f"no item category is named {category!r}")
    starts_on = _start(ctx)
    ends_on = starts_on + dt.timedelta(days=action["days"] - 1)
    row, created = SafetyStockAdjustment.objects.get_or_create(
        rule_version_id=ctx.version_id,
        event_id=ctx.event_id,
        subject=f"{ctx.subject_type}:{ctx.subject_id}"[:160],
        category_name=category,
        defaults={
            "percent": action["percent"],
            "starts_on": starts_on,
            "ends_on": ends_on,
            "location_id": _location_id(ctx),
            "reason": f"rule {ctx.rule_name}"[:300],
        },
    )
    verb = "adjusted" if created else "already adjusted"
    return f"{verb} safety stock of {category} by {row.percent}% from {row.starts_on} to {row.ends_on}"


def register_planning_handlers() -> None:
    register_action_handler("adjust_safety_stock", adjust_safety_stock)
