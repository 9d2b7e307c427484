"""Tiny daily panels and one MLflow store per session (creating an MLflow sqlite schema is slow)."""

import os
import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import torch
from mlflow import MlflowClient

from ml_models.features import DemandPanel
from ml_models.model import ModelConfig
from ml_models.training import TrainConfig, train

# One thread: the machine is shared, and OpenMP spinning on a busy CPU is slower than a single thread.
torch.set_num_threads(1)
SMALL = ModelConfig.for_frequency("D", n_lags=14, horizon=7, hidden=32, dropout=0.0)


def seasonal_panel(n_series: int = 12, days: int = 200, seed: int = 0) -> DemandPanel:
    """Weekly pattern × per-series level, plus Poisson noise: a model must average, the naive cannot."""
    rng = np.random.default_rng(seed)
    weekly = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.8, 1.6])
    level = rng.uniform(10, 60, size=(n_series, 1))
    mean = level * np.tile(weekly, days // 7 + 1)[None, :days]
    values = rng.poisson(mean).astype(np.float32)
    dates = pd.date_range("2025-01-06", periods=days, freq="D")
    return DemandPanel([f"sku-{i}" for i in range(n_series)], dates, values, "D")


@pytest.fixture(scope="session")
def trained_small():
    panel = seasonal_panel()
    result = train(
        panel.head(len(panel.dates) - 7),
        SMALL,
        TrainConfig(max_epochs=40, samples_per_epoch=2000, patience=3, batch_size=256, threads=1),
    )
    return panel, result


def _migrated_store_template() -> Path:
    """An empty MLflow sqlite store, migrated once per MLflow version: running its ~50 migrations takes
    tens of seconds on a busy machine, copying the file takes none."""
    cache = Path(os.environ.get("JXC_VAR_DIR", Path(__file__).resolve().parents[2] / "var")) / "test-cache"
    template = cache / f"mlflow-{mlflow.__version__}-empty.db"
    if not template.exists():
        cache.mkdir(parents=True, exist_ok=True)
        building = cache / f"building-{os.getpid()}.db"
        MlflowClient(tracking_uri=f"sqlite:///{building}").search_experiments()
        building.replace(template)
    return template


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    shutil.copyfile(_migrated_store_template(), root / "mlflow.db")
    return {"tracking_uri": f"sqlite:///{root / 'mlflow.db'}", "artifact_root": str(root / "artifacts")}
