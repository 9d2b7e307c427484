"""refresh_forecasts: today's P10/P50/P90 rows for every item × location with uploaded history."""

from __future__ import annotations

from django.core.files.storage import storages
from django.test import override_settings
from django.utils import timezone
from mlflow import MlflowClient

from core.planning.forecasting import refresh_forecasts
from core.planning.models import DemandForecast
from core.planning.uploads import upload_demand_history
from ml_models.base_models import train_base_model
from ml_models.training import TrainConfig
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor


def test_forecasts_are_written_from_the_champion_for_each_item_and_location(in_alpha, tmp_path):
    # given
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with override_settings(MLFLOW_TRACKING_URI=uri, MLFLOW_ARTIFACT_ROOT=str(tmp_path / "artifacts")):
        base = train_base_model("core", uri, n_series=8, days=150, train_config=TrainConfig(max_epochs=1, samples_per_epoch=500))
        MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(base.name, "champion", base.logged.version)
        location = make_catalogue(("A-1", "B-2"))
        upload = upload_demand_history(sales_csv(("A-1", "B-2"), location, days=60), "h.csv", system_actor())

        # when
        written = refresh_forecasts()
        again = refresh_forecasts()

    # then
    rows = DemandForecast.objects.select_related("item")
    assert written == again == 2 * 28 == rows.count()
    assert {r.item.sku for r in rows} == {"A-1", "B-2"}
    assert all(r.p10 <= r.p50 <= r.p90 and r.made_on == timezone.localdate() for r in rows)
    assert {(r.model_name, r.model_version) for r in rows} == {("public.core.demand", base.logged.version)}
    assert min(r.horizon_days for r in rows) == 1 and max(r.horizon_days for r in rows) == 28
    storages["default"].delete(upload.storage_key)


def test_without_any_model_nothing_is_written(in_alpha, tmp_path):
    # given
    location = make_catalogue(("A-1",))
    upload = upload_demand_history(sales_csv(("A-1",), location, days=40), "h.csv", system_actor())

    # when
    with override_settings(MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'empty.db'}"):
        written = refresh_forecasts()

    # then
    assert written == 0 and not DemandForecast.objects.exists()
    storages["default"].delete(upload.storage_key)
