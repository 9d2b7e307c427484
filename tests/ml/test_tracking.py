"""MLflow: every run is logged and registered; `champion` moves only for a better model, and rolls back."""

import pytest
from mlflow import MlflowClient

from ml_models import tracking
from ml_models.base_models import train_base_model
from ml_models.exceptions import NoChampion, NothingToRollBack
from ml_models.serving import forecast
from ml_models.training import TrainConfig

BASELINES = {"baseline.seasonal_naive.wape": 0.30, "baseline.ets.wape": 0.25}


def _log(model, name, store, wape):
    return tracking.log_training_run(
        model, name, {"wape": wape, "mase": 0.9, "pinball": 0.1, "bias": 0.01, **BASELINES}, params={"tenant": "alpha"}, **store
    )


def test_a_training_run_is_logged_with_its_metrics_params_and_registered_model(trained_small, mlflow_store):
    # given
    _, result = trained_small

    # when
    logged = _log(result.model, "alpha.retail.demand", mlflow_store, wape=0.2)

    # then
    client = MlflowClient(tracking_uri=mlflow_store["tracking_uri"])
    run = client.get_run(logged.run_id)
    assert run.data.metrics["wape"] == 0.2
    assert run.data.metrics["baseline.ets.wape"] == 0.25
    assert run.data.params["tenant"] == "alpha"
    assert run.data.params["model.horizon"] == "7"
    assert client.get_model_version("alpha.retail.demand", logged.version).run_id == logged.run_id


def test_champion_moves_only_when_the_challenger_beats_champion_and_best_baseline(trained_small, mlflow_store):
    # given a first version that beats the baselines
    _, result = trained_small
    name = "alpha.food.demand"
    first = _log(result.model, name, mlflow_store, wape=0.20)
    uri = mlflow_store["tracking_uri"]
    assert tracking.promote_if_better(name, first.version, {"wape": 0.20, **BASELINES}, uri).promoted

    # when a challenger is worse than the champion on the same holdout
    worse = _log(result.model, name, mlflow_store, wape=0.22)
    refused = tracking.promote_if_better(name, worse.version, {"wape": 0.22, "champion_wape": 0.20, **BASELINES}, uri)

    # and another beats the champion but not the best baseline
    lucky = tracking.promote_if_better(name, worse.version, {"wape": 0.19, "champion_wape": 0.20, "baseline.ets.wape": 0.18}, uri)

    # and a third beats both
    better = _log(result.model, name, mlflow_store, wape=0.15)
    accepted = tracking.promote_if_better(name, better.version, {"wape": 0.15, "champion_wape": 0.20, **BASELINES}, uri)

    # then
    assert not refused.promoted and refused.champion == first.version
    assert not lucky.promoted and "baseline" in lucky.reason
    assert accepted.promoted
    assert tracking.champion_version(name, uri) == better.version


def test_rollback_moves_champion_back_one_step(trained_small, mlflow_store):
    # given three promotions in a row
    _, result = trained_small
    name = "alpha.restaurant.demand"
    uri = mlflow_store["tracking_uri"]
    versions = []
    for wape in (0.24, 0.20, 0.16):
        logged = _log(result.model, name, mlflow_store, wape=wape)
        assert tracking.promote_if_better(name, logged.version, {"wape": wape, **BASELINES}, uri).promoted
        versions.append(logged.version)

    # when
    first_step = tracking.rollback(name, uri)
    second_step = tracking.rollback(name, uri)

    # then
    assert first_step == versions[1]
    assert second_step == versions[0]
    assert tracking.champion_version(name, uri) == versions[0]
    with pytest.raises(NothingToRollBack):
        tracking.rollback(name, uri)


def test_load_champion_returns_a_model_that_forecasts_like_the_trained_one(trained_small, mlflow_store):
    # given
    panel, result = trained_small
    name = "alpha.core.demand"
    uri = mlflow_store["tracking_uri"]
    with pytest.raises(NoChampion):
        tracking.load_champion(name, uri)
    logged = _log(result.model, name, mlflow_store, wape=0.2)
    tracking.promote_if_better(name, logged.version, {"wape": 0.2, **BASELINES}, uri)

    # when
    loaded = tracking.load_champion(name, uri)

    # then
    assert loaded.version == logged.version
    assert forecast(loaded.model, panel).values == pytest.approx(forecast(result.model, panel).values)


def test_a_vertical_base_model_is_trained_registered_and_scored_against_the_baselines(mlflow_store):
    # given a tiny run of the food vertical's base model
    options = {"n_series": 8, "days": 200, "train_config": TrainConfig(max_epochs=2, samples_per_epoch=500, threads=1)}

    # when
    result = train_base_model("food", mlflow_store["tracking_uri"], mlflow_store["artifact_root"], **options)

    # then the version is registered as public.food.demand with every baseline's figures beside the model's
    client = MlflowClient(tracking_uri=mlflow_store["tracking_uri"])
    run = client.get_run(result.logged.run_id)
    assert result.name == "public.food.demand"
    assert {"wape", "mase", "pinball", "bias", "baseline.ets.wape", "baseline.tsb.wape"} <= set(run.data.metrics)
    assert result.decision.promoted == (run.data.metrics["wape"] < run.data.metrics["best_baseline_wape"])
