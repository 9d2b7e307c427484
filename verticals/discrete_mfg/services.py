"""Manufacturing state changes. The workflows live in their own modules (boms, mrp, work_orders, lead_times);
this file holds the small ones the module's jobs call."""

from __future__ import annotations

from django.db import transaction

from core.events.services import record_event
from verticals.discrete_mfg.models import MfgSettings

IDLE_MIN_DAYS = 60


@transaction.atomic
def scan_idle_stock(*, min_days: int = IDLE_MIN_DAYS, actor: str = "system") -> int:
    """Record `mfg.idle_stock_scanned`: the rule pack's idle-stock rules expand it into the parts idle for
    `min_days` or more (rules.idle_subjects) after it commits."""
    settings, _created = MfgSettings.objects.get_or_create(pk=1)
    return record_event("mfg.idle_stock_scanned", "mfg_settings", settings.pk, actor=actor, payload={"min_days": min_days}).pk
