"""Upload → fine-tuning task in a real Celery worker → a new model version registered, metrics on the upload."""

from __future__ import annotations

from django.core.files.storage import storages
from django_tenants.utils import schema_context
from mlflow import MlflowClient

from core.planning.forecasting import start_fine_tune
from core.planning.models import DemandHistoryUpload, UploadStatus
from core.planning.uploads import upload_demand_history
from ml_models.tracking import registered_model_name
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor


def test_an_upload_is_fine_tuned_in_the_worker_and_registered_for_the_tenant(celery_worker, committed_tenant):
    # given
    schema = committed_tenant.schema
    with schema_context(schema):
        location = make_catalogue(("A-1", "B-2"))
        upload = upload_demand_history(sales_csv(("A-1", "B-2"), location, days=170), "sales.csv", system_actor())
        assert upload.status == UploadStatus.VALIDATED

    # when
    with schema_context(schema):
        start_fine_tune(upload.pk)

    # then
    def finished() -> DemandHistoryUpload | None:
        with schema_context(schema):
            row = DemandHistoryUpload.objects.get(pk=upload.pk)
        return row if row.status in (UploadStatus.DONE, UploadStatus.FAILED) else None

    done = celery_worker.wait_for(finished, timeout=240, interval=0.5)
    assert done.status == UploadStatus.DONE, celery_worker.log_tail()
    assert done.progress_percent == 100 and done.stage == "done"
    assert done.model_name == registered_model_name(schema, "core") and done.model_version == "1"
    assert {"before", "after", "baselines", "best_baseline"} <= set(done.metrics)
    assert done.metrics["before"]["wape"] >= 0 and done.metrics["after"]["wape"] >= 0
    # registry_uri too: MlflowClient otherwise takes the registry an earlier test set globally.
    uri = celery_worker.mlflow_tracking_uri
    versions = MlflowClient(tracking_uri=uri, registry_uri=uri).search_model_versions(f"name='{done.model_name}'")
    assert [str(v.version) for v in versions] == ["1"]
    storages["default"].delete(done.storage_key)
