"""kill -9 of the Celery worker in the middle of a fine-tune: the job becomes failed and retryable (never stuck
at "training"), and the retry, run by a new worker, finishes it exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from core.celery import configure_broker, restore_broker
from core.jobs import reap_all
from core.planning.forecasting import reap_stuck_forecasting, start_fine_tune
from core.planning.models import DemandHistoryUpload, UploadStatus
from core.planning.uploads import upload_demand_history
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor
from tests.reliability.support import start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def test_a_fine_tune_whose_worker_is_killed_becomes_retryable_and_the_retry_finishes_once(committed_tenant, tmp_path, settings):
    schema = committed_tenant.schema
    broker_dir = tmp_path / "broker"
    env = {
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(broker_dir),
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "MLFLOW_ARTIFACT_ROOT": str(tmp_path / "mlartifacts"),
        "JOB_HEARTBEAT_SECONDS": "0.5",
    }
    previous = configure_broker("filesystem://", broker_dir)
    workers = []
    try:
        with schema_context(schema):
            location = make_catalogue(("A-1", "B-2"))
            upload = upload_demand_history(sales_csv(("A-1", "B-2"), location, days=170), "sales.csv", system_actor())
            start_fine_tune(upload.pk)

        def row() -> DemandHistoryUpload:
            with schema_context(schema):
                return DemandHistoryUpload.objects.get(pk=upload.pk)

        workers.append(start_worker(tmp_path, "doomed", **env))
        wait_until(lambda: row().stage not in ("queued", ""), 180, "the worker starts the fine-tune", interval=0.2)
        first_beat = row().updated_at
        wait_until(lambda: row().updated_at > first_beat, 30, "the job's heartbeat")
        workers[0].kill_9()
        killed_at = time.monotonic()
        stuck = row()
        assert stuck.status == UploadStatus.TRAINING, "killed mid-task, the row still says training"
        with schema_context(schema):
            assert reap_stuck_forecasting(timedelta(seconds=30)) == 0, "a fresh heartbeat is not reaped"

        # The periodic reaper, with this test's short staleness: the silent job becomes failed.
        settings.JOB_STALE_AFTER_SECONDS = 2

        def reaped() -> bool:
            with schema_context(schema):
                reap_all()
            return row().status == UploadStatus.FAILED

        wait_until(reaped, 30, "the reaper fails the silent job", interval=0.5)
        print(f"\nkill -9 during “{stuck.stage}”: failed and retryable {time.monotonic() - killed_at:.1f} s later")
        assert "start the fine-tune again" in row().stage

        # startFineTune accepts the retry; a new worker finishes it.
        with schema_context(schema):
            start_fine_tune(upload.pk)
        workers.append(start_worker(tmp_path, "survivor", **env))
        done = wait_until(lambda: row().status in (UploadStatus.DONE, UploadStatus.FAILED) and row(), 400, "the retry")
        assert done.status == UploadStatus.DONE, workers[1].log()[-3000:]
        assert done.model_version == "1", "one registered version: the killed run never registered, the retry once"
        print(f"retry done: model {done.model_name} v{done.model_version}")
    finally:
        for worker in workers:
            worker.stop()
        restore_broker(previous)
