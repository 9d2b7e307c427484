"""`manage.py train_base_models` registers a vertical's base model in the MLflow store it is pointed at."""

from __future__ import annotations

import io

from django.core.management import call_command
from mlflow import MlflowClient


def test_the_command_registers_the_base_model_of_the_requested_vertical(tmp_path):
    # given
    tracking_uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    out = io.StringIO()

    # when
    call_command(
        "train_base_models",
        "--module=food",
        "--n-series=8",
        "--days=150",
        "--epochs=1",
        "--samples-per-epoch=500",
        f"--tracking-uri={tracking_uri}",
        f"--artifact-root={tmp_path / 'artifacts'}",
        stdout=out,
    )

    # then
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    versions = client.search_model_versions("name='public.food.demand'")
    assert [str(v.version) for v in versions] == ["1"]
    assert out.getvalue().startswith("public.food.demand v1: WAPE ")
