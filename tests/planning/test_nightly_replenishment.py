"""The nightly replenishment task: scheduled per tenant, once per day however often it is delivered, and not for a
tenant whose subscription left it read-only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from billing import entitlements
from billing.models import EntitlementStatus, ModuleEntitlement
from core.celery import app
from core.inventory.factories import make_item, receive
from core.partners.services import create_supplier
from core.planning.models import ReplenishmentProposal, ReplenishmentRun
from core.planning.tasks import (
    NIGHTLY_ACTOR,
    NIGHTLY_SCHEDULE,
    nightly_chain,
    nightly_forecast_and_replenishment,
    refresh_forecasts_task,
    run_nightly_replenishment,
)
from tests.planning.factories import make_store_location, source_from, write_forecast


def _low_store(code: str) -> None:
    item = make_item()
    store = make_store_location()
    receive(item, store, 5)
    write_forecast(item, store, timezone.localdate(), 20, "8", "10", "12")
    source_from(item, store, supplier=create_supplier(code=code, name="S", declared_lead_time_days=3))


def test_it_is_scheduled_for_every_tenant_every_day_as_the_last_link_of_the_nightly_chain():
    entry = app.conf.beat_schedule["planning-nightly-forecast-replenishment"]
    assert entry["task"] == "core.tasks.dispatch_to_tenants"
    assert entry["args"] == (nightly_forecast_and_replenishment.name,)
    assert entry["schedule"] == NIGHTLY_SCHEDULE  # once a night, at a fixed hour
    assert "planning-nightly-replenishment" not in app.conf.beat_schedule  # no second, unchained timer
    links = [task.task for task in nightly_chain("alpha").tasks]
    assert links[-2:] == [refresh_forecasts_task.name, run_nightly_replenishment.name]


def test_one_run_a_day_however_often_the_task_is_delivered(alpha):
    with schema_context(alpha.schema):
        # given
        _low_store("SUP-NIGHT-1")

        # when: delivered twice (a retry, or two beats)
        made = [run_nightly_replenishment(), run_nightly_replenishment()]

        # then: the day's run proposed the order once
        run = ReplenishmentRun.objects.get(run_key=f"nightly:{timezone.localdate().isoformat()}")
        assert made == [1, 1] and run.actor == NIGHTLY_ACTOR
        assert ReplenishmentProposal.objects.filter(run=run).count() == 1
        assert ReplenishmentProposal.objects.count() == 1


@pytest.fixture
def read_only_alpha(alpha):
    ModuleEntitlement.objects.update_or_create(
        tenant=alpha.tenant, module_code="core", defaults={"status": EntitlementStatus.READ_ONLY}
    )
    entitlements.invalidate(alpha.tenant)
    yield alpha
    entitlements.invalidate(alpha.tenant)  # the row rolls back with the test; the cached access must go too


def test_a_read_only_tenant_gets_no_run(read_only_alpha):
    with schema_context(read_only_alpha.schema):
        # given
        _low_store("SUP-NIGHT-2")

        # when
        made = run_nightly_replenishment()

        # then
        assert made is None
        assert not ReplenishmentRun.objects.exists()
        assert not ReplenishmentProposal.objects.exists()
