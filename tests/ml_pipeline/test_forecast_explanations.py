"""refresh_forecasts also stores why each forecast is what it is: the reference level plus one contribution per
feature family, adding up to the P50 total of the forecasts written in the same run."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.storage import storages
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from mlflow import MlflowClient

from core.planning.forecasting import refresh_forecasts
from core.planning.models import DemandForecast, ForecastExplanation
from core.planning.uploads import upload_demand_history
from ml_models.base_models import train_base_model
from ml_models.training import TrainConfig
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor

FAMILIES = {"lags", "calendar", "price_promo", "signals"}


def _p50_totals() -> dict[tuple[int, int], Decimal]:
    rows = DemandForecast.objects.values("item_id", "location_id").annotate(total=Sum("p50"))
    return {(r["item_id"], r["location_id"]): r["total"] for r in rows}


def test_each_forecast_is_explained_by_contributions_adding_up_to_its_p50_total(in_alpha, tmp_path):
    # given a champion and two items with history
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with override_settings(MLFLOW_TRACKING_URI=uri, MLFLOW_ARTIFACT_ROOT=str(tmp_path / "artifacts")):
        base = train_base_model("core", uri, n_series=8, days=150, train_config=TrainConfig(max_epochs=1, samples_per_epoch=500))
        MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(base.name, "champion", base.logged.version)
        location = make_catalogue(("A-1", "B-2"))
        upload = upload_demand_history(sales_csv(("A-1", "B-2"), location, days=60), "h.csv", system_actor())

        # when
        refresh_forecasts()
        first_ids = set(ForecastExplanation.objects.values_list("pk", flat=True))
        refresh_forecasts()  # the same day again

    # then: one explanation per item × location, replaced (not added to) by the rerun
    explanations = list(ForecastExplanation.objects.select_related("item"))
    assert len(explanations) == 2 and len(first_ids) == 2
    assert {e.item.sku for e in explanations} == {"A-1", "B-2"}
    totals = _p50_totals()
    for e in explanations:
        assert e.made_on == timezone.localdate() and e.horizon_days == 28
        assert (e.model_name, e.model_version) == ("public.core.demand", base.logged.version)
        assert set(e.contributions) == FAMILIES
        explained = e.reference + sum(Decimal(str(v)) for v in e.contributions.values())
        # integrated gradients are complete up to their integration error (32 steps)
        assert abs(explained - e.p50_total) <= Decimal("0.01") * abs(e.p50_total) + Decimal("0.05"), (e, e.contributions)
        # ... and the total is the one the stored daily P50s add up to (those are rounded to 4 places each)
        assert abs(e.p50_total - totals[(e.item_id, e.location_id)]) <= Decimal("0.01") * e.p50_total + Decimal("0.01")
    storages["default"].delete(upload.storage_key)


def test_an_explanation_of_a_pair_without_history_today_is_removed_on_rerun(in_alpha, tmp_path):
    # given today's explanation of a pair the new run will not forecast (its history is gone)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with override_settings(MLFLOW_TRACKING_URI=uri, MLFLOW_ARTIFACT_ROOT=str(tmp_path / "artifacts")):
        base = train_base_model("core", uri, n_series=8, days=150, train_config=TrainConfig(max_epochs=1, samples_per_epoch=500))
        MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(base.name, "champion", base.logged.version)
        location = make_catalogue(("A-1", "C-3"))
        upload = upload_demand_history(sales_csv(("A-1",), location, days=60), "h.csv", system_actor())
        from core.catalog.models import Item
        from core.locations.models import Location

        stale = ForecastExplanation.objects.create(
            item=Item.objects.get(sku="C-3"),
            location=Location.objects.get(code=location),
            made_on=timezone.localdate(),
            horizon_days=28,
            reference=Decimal("1"),
            p50_total=Decimal("1"),
            contributions={"lags": 0.0},
        )

        # when
        refresh_forecasts()

    # then
    assert not ForecastExplanation.objects.filter(pk=stale.pk).exists()
    assert list(ForecastExplanation.objects.values_list("item__sku", flat=True)) == ["A-1"]
    storages["default"].delete(upload.storage_key)
