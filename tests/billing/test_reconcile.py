"""Reconciliation repairs entitlements that drifted from Stripe (e.g. a webhook that never arrived)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from billing.models import BillingAccount, EntitlementChange, EntitlementStatus, ModuleEntitlement, StripeEvent
from billing.subscriptions import begin_billing
from billing.tasks import purge_old_events, reconcile_billing
from core.celery import app


def _begin(info):
    begin_billing(info.tenant, ["food"], email=info.owner_email, success_url="http://x/", cancel_url="http://x/")
    return BillingAccount.objects.get(tenant=info.tenant)


def _status(info, code):
    return ModuleEntitlement.objects.get(tenant=info.tenant, module_code=code).status


def test_a_missed_cancellation_is_repaired_and_reported(alpha, stripe_mode):
    # given Stripe canceled the subscription and the webhook never arrived
    account = _begin(alpha)
    stripe_mode.set_status(account.stripe_subscription_id, "canceled")
    assert _status(alpha, "core") == EntitlementStatus.TRIALING
    # when
    out = StringIO()
    call_command("reconcile_billing", stdout=out)
    # then
    assert _status(alpha, "core") == _status(alpha, "food") == EntitlementStatus.READ_ONLY
    assert "alpha: core: trialing → read_only" in out.getvalue()
    assert EntitlementChange.objects.filter(tenant=alpha.tenant, source="reconcile").count() == 2
    again = StringIO()
    call_command("reconcile_billing", stdout=again)
    assert "alpha:" not in again.getvalue() and "repaired 0" in again.getvalue()


def test_a_row_edited_by_hand_is_put_back(alpha, stripe_mode):
    account = _begin(alpha)
    ModuleEntitlement.objects.update_or_create(
        tenant=alpha.tenant, module_code="retail", defaults={"status": EntitlementStatus.ACTIVE}
    )
    lines = reconcile_billing.apply().get()
    assert f"{alpha.tenant.slug}: retail: active → disabled" in lines
    assert _status(alpha, "retail") == EntitlementStatus.DISABLED
    assert account.stripe_subscription_id


def test_an_unreachable_stripe_is_reported_and_changes_nothing(alpha, stripe_mode):
    _begin(alpha)
    stripe_mode.outage(True)
    try:
        with pytest.raises(CommandError, match="could not be read"):
            call_command("reconcile_billing", stdout=StringIO())
    finally:
        stripe_mode.outage(False)
    assert _status(alpha, "core") == EntitlementStatus.TRIALING


def test_reconciliation_is_scheduled_and_idle_offline(alpha, local_mode):
    assert app.conf.beat_schedule["billing-reconcile"]["task"] == reconcile_billing.name
    assert reconcile_billing.apply().get() == []
    with pytest.raises(CommandError, match="local trial"):
        call_command("reconcile_billing")


def test_processed_events_are_forgotten_after_the_retention_period(db, settings):
    old = timezone.now() - timedelta(days=settings.STRIPE_EVENT_RETENTION_DAYS + 1)
    StripeEvent.objects.create(event_id="evt_old", type="x", processed_at=old)
    StripeEvent.objects.create(event_id="evt_recent", type="x", processed_at=timezone.now())
    StripeEvent.objects.create(event_id="evt_failed", type="x", processed_at=None)  # Stripe may still retry it
    StripeEvent.objects.filter(event_id="evt_failed").update(received_at=old)
    assert purge_old_events() == 1
    assert set(StripeEvent.objects.values_list("event_id", flat=True)) >= {"evt_recent", "evt_failed"}
    assert not StripeEvent.objects.filter(event_id="evt_old").exists()
