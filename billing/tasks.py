from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import StripeEvent
from billing.reconcile import reconcile_all
from billing.subscriptions import stripe_configured
from core.celery import app


def purge_old_events() -> int:
    """Forget processed events older than STRIPE_EVENT_RETENTION_DAYS.

    Stripe stops retrying an event after 3 days, so an id older than that never comes back; were it
    replayed by hand, processing re-reads Stripe's state anyway, so it would change nothing.
    """
    cutoff = timezone.now() - timedelta(days=settings.STRIPE_EVENT_RETENTION_DAYS)
    deleted, _ = StripeEvent.objects.filter(processed_at__lt=cutoff).delete()
    return deleted


@app.task(name="billing.tasks.reconcile_billing")
def reconcile_billing() -> list[str]:
    """Beat job (public schema): repair entitlements that drifted from Stripe; nothing to do in local mode."""
    if not stripe_configured():
        return []
    lines = reconcile_all().lines()
    lines.append(f"purged {purge_old_events()} old stripe events")
    return lines
