"""Deleting a tenant removes everything it had: MLflow models, runs and artifacts, cache keys and files. A new
company that takes the same slug starts from nothing and can never be served the old company's model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django_tenants.utils import schema_context
from mlflow import MlflowClient
from mlflow.entities import ViewType

from ml_models import tracking
from ml_models.exceptions import NoChampion
from ml_models.model import DemandNet
from tenants.models import Tenant
from tenants.services import delete_tenant, provision_tenant, tenant_file_prefix
from tests.ml.conftest import SMALL, _migrated_store_template

torch.set_num_threads(1)


@pytest.fixture
def mlflow_store(tmp_path, settings):
    shutil.copyfile(_migrated_store_template(), tmp_path / "mlflow.db")
    settings.MLFLOW_TRACKING_URI = f"sqlite:///{tmp_path / 'mlflow.db'}"
    settings.MLFLOW_ARTIFACT_ROOT = str(tmp_path / "artifacts")
    return tmp_path


def _provision(slug: str) -> Tenant:
    return provision_tenant("Reuse Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "zh-hans")


def _artifact_bytes(root: Path) -> int:
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.exists() else 0


def test_deleting_a_tenant_removes_its_models_runs_artifacts_cache_and_files(committed, mlflow_store):
    slug = "reuse-slug"
    uri = f"sqlite:///{mlflow_store / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    old = _provision(slug)
    try:
        with schema_context(old.schema_name):
            name = tracking.registered_model_name(connection.schema_name, "core")
            logged = tracking.log_training_run(DemandNet(SMALL), name, {"wape": 0.2}, tracking_uri=uri)
            tracking.promote_if_better(name, logged.version, {"wape": 0.2}, uri)
            cache.set("dashboard", "old company's figures", 3600)
        storages["default"].save(f"{tenant_file_prefix(old)}uploads/sales.csv", ContentFile(b"date,sku\n"))
        artifacts_before = _artifact_bytes(mlflow_store / "artifacts")
        assert name == f"tenant{old.pk}.core.demand", "the registry name carries the immutable id, not the slug"
    finally:
        delete_tenant(old)

    experiments_left = client.search_experiments(view_type=ViewType.ALL, filter_string=f"name LIKE 'tenant{old.pk}.%'")
    assert experiments_left == []
    runs_left = client.search_runs(
        [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)], run_view_type=ViewType.ALL
    )
    print(
        f"\nbefore deletion: model {name} v{logged.version}, {artifacts_before / 1e3:.0f} KB of artifacts; "
        f"after: {len(client.search_registered_models())} models, {len(runs_left)} runs, "
        f"{_artifact_bytes(mlflow_store / 'artifacts')} bytes"
    )
    assert client.search_registered_models(filter_string=f"name LIKE 'tenant{old.pk}.%'") == []
    assert runs_left == []
    assert _artifact_bytes(mlflow_store / "artifacts") == 0

    new = _provision(slug)
    try:
        assert new.schema_name == old.schema_name and new.pk != old.pk
        with schema_context(new.schema_name):
            new_name = tracking.registered_model_name(connection.schema_name, "core")
            assert cache.get("dashboard") is None
            with pytest.raises(NoChampion):
                tracking.load_champion(new_name, uri)
        assert new_name != name
        assert not storages["default"].exists(f"{tenant_file_prefix(new)}uploads/sales.csv")
    finally:
        delete_tenant(new)
