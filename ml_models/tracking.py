"""MLflow tracking and registry: log runs, register `<owner>.<module>.demand`, move the champion alias."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import torch
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import Model
from mlflow.pyfunc import PythonModel

from ml_models.exceptions import MLErrorCode, ModelRegistryError, NoChampion, NothingToRollBack
from ml_models.model import DemandNet, ModelConfig

CHAMPION = "champion"
HISTORY_TAG = "champion_history"  # JSON list of versions that held the alias, oldest first
STATE_FILE = "demand_state.pt"
PIP_REQUIREMENTS = ["torch==2.13.0"]


def registered_model_name(schema: str, module: str, kind: str = "demand") -> str:
    """`<owner>.<module>.<kind>`, the owner being the tenant's immutable id (`tenant<pk>`), not its schema.

    A schema is named after the slug, and a slug is free again once its tenant is deleted: a new company
    taking it must not continue the old one's version numbers, or be served its model. Names that are not
    a tenant's schema (the shared base models under "public") stay as they are.
    """
    return f"{model_owner(schema)}.{module}.{kind}"


def model_owner(schema: str) -> str:
    """The registry prefix of a schema's models: `tenant<pk>` for a tenant, the schema itself otherwise."""
    if not _django_setting("DATABASES"):
        return schema
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    if schema == get_public_schema_name():
        return schema
    pk = get_tenant_model().objects.filter(schema_name=schema).values_list("pk", flat=True).first()
    return f"tenant{pk}" if pk is not None else schema


def delete_owner_models(owner: str, tracking_uri: str | None = None) -> dict[str, int]:
    """Remove everything MLflow holds for `owner` (see model_owner): registered models and their versions,
    runs, logged models, experiments and their artifacts. Irreversible; called when a tenant is deleted.

    MLflow's own deletes are soft (a `deleted` lifecycle stage, artifacts kept until `mlflow gc`), so the
    artifacts are deleted through the artifact repository and the rows hard-deleted where the store allows.
    """
    from mlflow.entities import ViewType
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    counts = {"models": 0, "experiments": 0, "runs": 0}
    uri = resolve_tracking_uri(tracking_uri)
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).exists():
        return counts  # no store was ever written: nothing to delete (and no empty store is created)
    client, _ = _client(uri)
    pattern = f"{owner}.%"
    for registered in client.search_registered_models(filter_string=f"name LIKE '{pattern}'"):
        client.delete_registered_model(registered.name)
        counts["models"] += 1
    store = client._tracking_client.store
    for experiment in client.search_experiments(view_type=ViewType.ALL, filter_string=f"name LIKE '{pattern}'"):
        runs = client.search_runs([experiment.experiment_id], run_view_type=ViewType.ALL, max_results=50_000)
        try:
            get_artifact_repository(experiment.artifact_location).delete_artifacts()
        except (OSError, MlflowException):
            _remove_local_artifacts(experiment.artifact_location)
        for logged in client.search_logged_models(experiment_ids=[experiment.experiment_id]):
            if hasattr(store, "_hard_delete_logged_model"):
                store._hard_delete_logged_model(logged.model_id)
        for run in runs:
            if hasattr(store, "_hard_delete_run"):
                store._hard_delete_run(run.info.run_id)
            else:
                client.delete_run(run.info.run_id)
            counts["runs"] += 1
        if experiment.lifecycle_stage != "deleted":
            client.delete_experiment(experiment.experiment_id)
        if hasattr(store, "_hard_delete_experiment"):  # only a soft-deleted experiment can be hard-deleted
            store._hard_delete_experiment(experiment.experiment_id)
        counts["experiments"] += 1
    return counts


def _remove_local_artifacts(location: str) -> None:
    if location.startswith("file://") or "://" not in location:
        shutil.rmtree(location.removeprefix("file://"), ignore_errors=True)


def _django_setting(name: str) -> str | None:
    try:
        from django.conf import settings
    except ImportError:
        return None
    return getattr(settings, name, None) if settings.configured else None


def resolve_tracking_uri(explicit: str | None = None) -> str:
    """Explicit argument, then Django's MLFLOW_TRACKING_URI, then the environment."""
    uri = explicit or _django_setting("MLFLOW_TRACKING_URI") or os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        raise ModelRegistryError("set MLFLOW_TRACKING_URI or pass tracking_uri", MLErrorCode.TRACKING_NOT_CONFIGURED)
    return uri


def resolve_artifact_root(tracking_uri: str, explicit: str | None = None) -> str:
    """Explicit, then Django's MLFLOW_ARTIFACT_ROOT, then `mlartifacts` beside a sqlite store."""
    root = explicit or _django_setting("MLFLOW_ARTIFACT_ROOT") or os.environ.get("MLFLOW_ARTIFACT_ROOT")
    if not root and tracking_uri.startswith("sqlite:///"):
        root = str(Path(tracking_uri.removeprefix("sqlite:///")).parent / "mlartifacts")
    if not root:
        raise ModelRegistryError("set MLFLOW_ARTIFACT_ROOT or pass artifact_root", MLErrorCode.TRACKING_NOT_CONFIGURED)
    return root if "://" in root else Path(root).resolve().as_uri()


def _work_dir(tracking_uri: str) -> Path:
    # Downloads go to a project folder: loading from S3 leaves temp dirs behind otherwise.
    var = _django_setting("VAR_DIR")
    if var:
        base = Path(var) / "tmp"
    elif tracking_uri.startswith("sqlite:///"):
        base = Path(tracking_uri.removeprefix("sqlite:///")).parent / "tmp"
    else:
        base = Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    return base


def _client(tracking_uri: str | None) -> tuple[MlflowClient, str]:
    uri = resolve_tracking_uri(tracking_uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri), uri


def _experiment_id(client: MlflowClient, name: str, artifact_root: str) -> str:
    found = client.get_experiment_by_name(name)
    if found:
        return found.experiment_id
    return client.create_experiment(name, artifact_location=f"{artifact_root.rstrip('/')}/{name}")


@dataclass(frozen=True)
class LoggedRun:
    run_id: str
    version: str


def log_training_run(
    model: DemandNet,
    name: str,
    metrics: Mapping[str, float],
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
    report: Mapping[str, object] | None = None,
    tracking_uri: str | None = None,
    artifact_root: str | None = None,
) -> LoggedRun:
    """Log one training or fine-tuning run (params, holdout metrics, the model) and register it under `name`."""
    client, uri = _client(tracking_uri)
    experiment_id = _experiment_id(client, name, resolve_artifact_root(uri, artifact_root))
    config = model.config
    with tempfile.TemporaryDirectory(dir=_work_dir(uri)) as tmp:
        state_path = Path(tmp) / STATE_FILE
        torch.save({"config": config.to_dict(), "state_dict": model.state_dict()}, state_path)
        with mlflow.start_run(experiment_id=experiment_id, tags=dict(tags or {})) as run:
            mlflow.log_params({**{f"model.{k}": v for k, v in config.to_dict().items()}, **(params or {})})
            mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))})
            if report:
                mlflow.log_dict(dict(report), "holdout_report.json")
            model.eval()
            info = mlflow.pytorch.log_model(
                model,
                name="model",
                input_example=np.zeros((1, config.layout.n_inputs), dtype=np.float32),
                serialization_format="pt2",
                pip_requirements=PIP_REQUIREMENTS,
                metadata={"demand_config": config.to_dict()},
                extra_files=[str(state_path)],
                registered_model_name=name,
            )
    return LoggedRun(run_id=run.info.run_id, version=str(info.registered_model_version))


def _history(client: MlflowClient, name: str) -> list[str]:
    raw = client.get_registered_model(name).tags.get(HISTORY_TAG)
    return list(json.loads(raw)) if raw else []


def champion_version(name: str, tracking_uri: str | None = None) -> str | None:
    client, _ = _client(tracking_uri)
    try:
        return str(client.get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException:
        return None


@dataclass(frozen=True)
class PromotionDecision:
    promoted: bool
    reason: str
    champion: str | None  # the version holding the alias after the decision


def promote_if_better(
    name: str, version: str, holdout_metrics: Mapping[str, float], tracking_uri: str | None = None
) -> PromotionDecision:
    """Move `champion` to `version` only if its holdout WAPE beats the current champion and the best baseline.

    `holdout_metrics` holds `wape` (the challenger), `baseline.<name>.wape` or `best_baseline_wape`, and
    `champion_wape`: the current champion scored on the same holdout. Without it, the champion's own
    logged `wape` is used.
    """
    client, _ = _client(tracking_uri)
    wape = float(holdout_metrics["wape"])
    baselines = [float(v) for k, v in holdout_metrics.items() if k.startswith("baseline.") and k.endswith(".wape")]
    best_baseline = float(holdout_metrics.get("best_baseline_wape", min(baselines, default=math.inf)))
    current = champion_version(name, tracking_uri)
    if current == str(version):
        return PromotionDecision(False, "already champion", current)
    if not wape < best_baseline:
        decision = PromotionDecision(False, f"WAPE {wape:.4f} does not beat the best baseline {best_baseline:.4f}", current)
    elif current is not None and not wape < _champion_wape(client, name, current, holdout_metrics):
        champ = _champion_wape(client, name, current, holdout_metrics)
        decision = PromotionDecision(False, f"WAPE {wape:.4f} does not beat champion v{current} ({champ:.4f})", current)
    else:
        client.set_registered_model_alias(name, CHAMPION, str(version))
        history = [*_history(client, name), str(version)]
        client.set_registered_model_tag(name, HISTORY_TAG, json.dumps(history))
        decision = PromotionDecision(True, f"WAPE {wape:.4f} beats champion and best baseline", str(version))
    client.set_model_version_tag(name, str(version), "promotion", decision.reason)
    return decision


def _champion_wape(client: MlflowClient, name: str, current: str, holdout_metrics: Mapping[str, float]) -> float:
    if "champion_wape" in holdout_metrics:
        return float(holdout_metrics["champion_wape"])
    run_id = client.get_model_version(name, current).run_id
    if run_id is None:  # a version registered without a run has no holdout figure to beat
        return math.inf
    return float(client.get_run(run_id).data.metrics.get("wape", math.inf))


def rollback(name: str, tracking_uri: str | None = None) -> str:
    """Move `champion` back to the version that held it before the current one; returns that version."""
    client, _ = _client(tracking_uri)
    history = _history(client, name)
    if len(history) < 2:
        raise NothingToRollBack(name)
    withdrawn, previous = history[-1], history[-2]
    client.set_registered_model_alias(name, CHAMPION, previous)
    client.set_registered_model_tag(name, HISTORY_TAG, json.dumps(history[:-1]))
    client.set_model_version_tag(name, withdrawn, "rolled_back", "true")
    return previous


@dataclass(frozen=True)
class LoadedModel:
    model: DemandNet
    name: str
    version: str
    run_id: str


def load_version(name: str, version: str, tracking_uri: str | None = None) -> LoadedModel:
    """Rebuild the trainable network of one registered version (for serving, explaining or fine-tuning)."""
    client, uri = _client(tracking_uri)
    mv = client.get_model_version(name, version)
    with _download(f"models:/{name}/{version}", uri) as path:
        state = torch.load(path / "extra_files" / STATE_FILE, weights_only=True)
        config = ModelConfig.from_dict((Model.load(str(path)).metadata or {})["demand_config"])
    model = DemandNet(config)
    model.load_state_dict(state["state_dict"])
    model.eval()
    return LoadedModel(model, name, str(mv.version), mv.run_id or "")


def load_champion(name: str, tracking_uri: str | None = None) -> LoadedModel:
    version = champion_version(name, tracking_uri)
    if version is None:
        raise NoChampion(name)
    return load_version(name, version, tracking_uri)


@contextmanager
def _download(uri: str, tracking_uri: str) -> Iterator[Path]:
    tmp = tempfile.mkdtemp(dir=_work_dir(tracking_uri))
    try:
        yield Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- champion choices (ml_models.champion): the per-class winners and their fitted learners ----------------------

CHOICE_FILE = "champion_choice.pt"


class _ChoiceModel(PythonModel):  # type: ignore[misc]
    """A registered champion choice. Its payload is read by `load_champion_choice` and served by
    `ml_models.champion.forecast_with`, which needs the tenant's panel and known-future inputs, not pyfunc rows."""

    def predict(self, context: Any, model_input: list[Any], params: dict[str, Any] | None = None) -> list[Any]:
        raise TypeError("a champion choice is served by ml_models.champion.forecast_with")


def log_champion_choice(
    saved: Mapping[str, Any],
    name: str,
    metrics: Mapping[str, float],
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
    report: Mapping[str, object] | None = None,
    tracking_uri: str | None = None,
) -> LoggedRun:
    """Log a champion selection (its backtest figures and `ChampionResult.saved`) and register it under `name`."""
    client, uri = _client(tracking_uri)
    experiment_id = _experiment_id(client, name, resolve_artifact_root(uri))
    with tempfile.TemporaryDirectory(dir=_work_dir(uri)) as tmp:
        path = Path(tmp) / CHOICE_FILE
        torch.save(dict(saved), path)
        with mlflow.start_run(experiment_id=experiment_id, tags=dict(tags or {})) as run:
            mlflow.log_params(dict(params or {}))
            # Candidate names carry combination weights ("combo:ets*0.9+…"): MLflow allows fewer characters.
            mlflow.log_metrics(
                {_metric_name(k): float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))}
            )
            if report:
                mlflow.log_dict(dict(report), "backtest_report.json")
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=_ChoiceModel(),
                artifacts={"choice": str(path)},
                pip_requirements=PIP_REQUIREMENTS,
                registered_model_name=name,
            )
    return LoggedRun(run_id=run.info.run_id, version=str(info.registered_model_version))


def _metric_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-. :/]", "_", name.replace("*", "x").replace("+", "_plus_"))


def load_champion_choice(name: str, version: str, tracking_uri: str | None = None) -> dict[str, Any]:
    """The `saved` dict of one registered champion choice (ours: written by log_champion_choice)."""
    _, uri = _client(tracking_uri)
    with _download(f"models:/{name}/{version}", uri) as path:
        # Not weights-only: the choice holds LightGBM model text and band offsets beside the network's tensors.
        loaded: dict[str, Any] = torch.load(path / "artifacts" / CHOICE_FILE, weights_only=False)
    return loaded
