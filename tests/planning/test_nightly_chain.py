"""The nightly job is one chain per tenant: shipments roll up, forecasts are written, then replenishment runs
on them, in a real worker; the planning app declares it as its periodic job."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.core.files.storage import storages
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location
from core.planning.models import DemandForecast, ForecastRun, ReplenishmentRun
from core.planning.tasks import nightly_forecast_and_replenishment
from core.planning.uploads import upload_demand_history
from tests.ml_pipeline.conftest import system_actor
from tests.planning.history_support import csv_bytes, daily_history


def test_the_planning_app_declares_the_nightly_chain_as_a_per_tenant_periodic_job():
    # when
    jobs = apps.get_app_config("planning").periodic_jobs

    # then
    assert [(job.name, job.task, job.per_tenant) for job in jobs] == [
        ("planning-nightly-forecast-replenishment", nightly_forecast_and_replenishment, True)
    ]


def test_the_nightly_chain_runs_replenishment_after_that_nights_forecasts(celery_worker, committed_tenant):
    # given
    schema = committed_tenant.schema
    today = timezone.localdate()
    with schema_context(schema):
        make_item("A-1")
        location = make_stock_location("WH1")
        history = daily_history(("A-1",), location.code, today - timedelta(days=90), 90)
        upload = upload_demand_history(csv_bytes(history), "h.csv", system_actor())

    # when
    with schema_context(schema):
        nightly_forecast_and_replenishment.delay()

    def replenished() -> ReplenishmentRun | None:
        with schema_context(schema):
            return ReplenishmentRun.objects.filter(run_key=f"nightly:{today.isoformat()}").first()

    run = celery_worker.wait_for(replenished, timeout=240, interval=1.0)

    # then: the forecasts of the night were written before the replenishment run started
    with schema_context(schema):
        forecast_run = ForecastRun.objects.get(trigger="nightly")
        assert forecast_run.status == "done" and forecast_run.start_date == today
        assert DemandForecast.objects.filter(made_on=today).count() == 28
        assert forecast_run.updated_at <= run.started_at
        storages["default"].delete(upload.storage_key)
