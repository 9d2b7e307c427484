"""`manage.py train_base_models --missing-only`, as `./jxc run` starts it on every start: the first run trains
and registers a vertical's base model from the real + synthetic panel, later runs train nothing."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from mlflow import MlflowClient

from ml_models.base_models import training_panel
from ml_models.management.commands.train_base_models import exclusive
from ml_models.serving import forecast
from ml_models.tracking import load_champion
from tests.ml.conftest import _migrated_store_template

# Small enough for a test, large enough that the model beats the baselines and becomes champion.
TINY = ["--n-series=8", "--days=730", "--epochs=8", "--samples-per-epoch=10000", "--final-epochs=0"]


@pytest.fixture
def store(tmp_path, settings):
    settings.VAR_DIR = tmp_path  # the lock file lives here
    shutil.copyfile(_migrated_store_template(), tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    return {"uri": uri, "args": [f"--tracking-uri={uri}", f"--artifact-root={tmp_path / 'artifacts'}"]}


def _versions(uri: str, name: str) -> list[str]:
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return sorted(str(v.version) for v in client.search_model_versions(f"name='{name}'"))


def _run(store: dict, *args: str) -> str:
    out = io.StringIO()
    call_command("train_base_models", "--missing-only", *args, *TINY, *store["args"], stdout=out)
    return out.getvalue()


def test_the_second_missing_only_run_trains_nothing(store):
    # given a first start trained the food base model and made it champion
    first = _run(store, "--module=food")
    assert "public.food.demand v1" in first and "beats champion and best baseline" in first

    # when the app starts again
    second = _run(store, "--module=food")

    # then nothing is trained: still one version
    assert second.strip() == "public.food.demand has a champion; skipped"
    assert _versions(store["uri"], "public.food.demand") == ["1"]
    # and the one run logged the real part's holdout beside the baselines, and what it was trained on
    client = MlflowClient(tracking_uri=store["uri"], registry_uri=store["uri"])
    run = client.get_run(client.get_model_version("public.food.demand", "1").run_id)
    assert {"wape", "best_baseline_wape", "real.wape", "real.best_baseline_wape", "synthetic.wape"} <= set(run.data.metrics)
    assert run.data.params["real_series"] == "26" and run.data.params["real_months"] == "2016-07..2018-06"


def test_the_registered_base_model_forecasts_the_verticals_series(store):
    # given
    _run(store, "--module=restaurant")

    # when the champion is loaded from the registry and asked for the next 28 days of the real series
    loaded = load_champion("public.restaurant.demand", store["uri"])
    data = training_panel("restaurant", n_series=8, days=730)
    result = forecast(loaded.model, data.panel.subset(data.real_rows))

    # then every series gets ordered, finite quantile bands in units
    bands = result.values
    assert bands.shape == (len(data.real_rows), 28, 3)
    assert np.isfinite(bands).all()
    assert (bands[..., 0] <= bands[..., 1] + 1e-6).all() and (bands[..., 1] <= bands[..., 2] + 1e-6).all()
    # the real series sell ~12 units a day (median): forecasts are on that scale, not the dataset's dollars
    assert 1 < np.median(bands[..., 1]) < 100


def test_a_start_while_another_is_training_does_nothing(store, tmp_path):
    # given another process holds the lock (a first start still training)
    with exclusive(tmp_path / "train_base_models.lock") as mine:
        assert mine

        # when
        out = _run(store, "--module=core")

    # then
    assert "in progress; nothing to do" in out
    assert _versions(store["uri"], "public.core.demand") == []


def test_an_unknown_vertical_is_refused():
    with pytest.raises(CommandError, match="unknown module"):
        call_command("train_base_models", "--missing-only", "--module=bakery")
