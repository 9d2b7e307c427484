"""Holdout evaluation: the model(s) and every baseline scored on the same final periods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ml_models.baselines import all_baselines
from ml_models.combination import Combination, combine
from ml_models.features import DemandPanel
from ml_models.metrics import bias, coverage, mase, scaled_pinball, wape
from ml_models.model import DemandNet
from ml_models.serving import forecast


@dataclass
class HoldoutReport:
    """Metrics per method (`model`, `seasonal_naive`, `ets` …) on one holdout."""

    horizon: int
    n_series: int
    methods: dict[str, dict[str, float]]
    baseline_names: tuple[str, ...]

    @property
    def best_baseline(self) -> str:
        return min(self.baseline_names, key=lambda name: self.methods[name]["wape"])

    def flat(self, model: str = "model") -> dict[str, float]:
        """MLflow-style metrics: the model's figures bare, each baseline's as `baseline.<name>.<metric>`."""
        out = dict(self.methods[model])
        for name in self.baseline_names:
            out.update({f"baseline.{name}.{k}": v for k, v in self.methods[name].items()})
        out["best_baseline_wape"] = self.methods[self.best_baseline]["wape"]
        return out


def _scores(
    actual: np.ndarray, quantiles: np.ndarray, q: tuple[float, ...], history: np.ndarray, season: int
) -> dict[str, float]:
    median = quantiles[..., q.index(0.5)] if 0.5 in q else quantiles.mean(axis=-1)
    scores = {
        "wape": wape(actual, median),
        "mase": mase(actual, median, history, season),
        "bias": bias(actual, median),
        "pinball": scaled_pinball(actual, quantiles, q),
    }
    for level in (0.1, 0.9):
        if level in q:
            # Calibrated means ≈ 10 % and ≈ 90 % of actuals at or below P10 and P90.
            scores[f"coverage_p{round(level * 100)}"] = coverage(actual, quantiles[..., q.index(level)])
    return scores


def evaluate_holdout(
    panel: DemandPanel,
    models: Mapping[str, DemandNet],
    horizon: int | None = None,
    combinations: Mapping[str, Combination | Sequence[Combination]] | None = None,
) -> HoldoutReport:
    """Hold out the last `horizon` periods of every series; forecast them from the history before.

    Baselines give a point forecast; their pinball loss treats it as every quantile (a degenerate
    distribution), which is the honest comparison for a method that gives no spread. `combinations` maps a
    model name to its learned combination(s) (ml_models.combination, chosen on validation); each is also
    scored combined with that member's baseline forecast of this run, as `<name>+<member>` (e.g. `model+ets`).
    """
    return holdout_forecasts(panel, models, horizon, combinations).report()


@dataclass
class HoldoutForecasts:
    """Every method's holdout forecast for the panel's rows, made once; `report(rows)` scores any subset of them
    (every method forecasts each series on its own, so a subset's figures are those of a separate run)."""

    horizon: int
    season: int
    rows: np.ndarray  # the panel rows with an actual and a last observed period (the others are not scored)
    actual: np.ndarray
    history: np.ndarray
    quantiles: tuple[float, ...]
    forecasts: dict[str, np.ndarray]  # method → (rows, horizon, quantiles)
    baselines: dict[str, np.ndarray]  # baseline → (rows, horizon) point forecasts

    def report(self, rows: np.ndarray | None = None) -> HoldoutReport:
        """Figures over every scored row, or over those of the panel's `rows` that are scored."""
        pick = np.arange(self.rows.size) if rows is None else np.flatnonzero(np.isin(self.rows, rows))
        actual, history = self.actual[pick], self.history[pick]
        methods = {
            name: _scores(actual, values[pick], self.quantiles, history, self.season) for name, values in self.forecasts.items()
        }
        for name, point in self.baselines.items():
            stacked = np.repeat(point[pick][..., None], len(self.quantiles), axis=-1)
            methods[name] = _scores(actual, stacked, self.quantiles, history, self.season)
        return HoldoutReport(self.horizon, int(pick.size), methods, tuple(self.baselines))


def holdout_forecasts(
    panel: DemandPanel,
    models: Mapping[str, DemandNet],
    horizon: int | None = None,
    combinations: Mapping[str, Combination | Sequence[Combination]] | None = None,
    baselines: Mapping[str, np.ndarray] | None = None,
) -> HoldoutForecasts:
    """The forecasts `evaluate_holdout` scores. `baselines` (a previous call's, for the same panel and horizon)
    skips fitting them again."""
    horizon = horizon or next(iter(models.values())).config.horizon
    cut = len(panel.dates) - horizon
    history = panel.head(cut)
    actual = panel.values[:, cut:].astype(float)
    keep = np.flatnonzero(np.isfinite(actual).any(axis=1) & np.isfinite(history.values[:, -1]))
    history, actual = history.subset(keep), actual[keep]
    fitted = dict(baselines) if baselines is not None else all_baselines(history.values, horizon, panel.season)
    forecasts: dict[str, np.ndarray] = {}
    q_model: tuple[float, ...] = (0.5,)
    for name, model in models.items():
        result = forecast(model, history)
        q_model = result.quantiles
        values = result.values[:, :horizon].astype(float)
        forecasts[name] = values
        median = model.config.median_index
        for learned in _as_list((combinations or {}).get(name)):
            member = fitted[learned.member]
            both = combine(values, member, learned.network_weight, median, learned.lower_width, learned.upper_width)
            forecasts[f"{name}+{learned.member}"] = both
    return HoldoutForecasts(horizon, panel.season, keep, actual, history.values, q_model, forecasts, fitted)


def _as_list(learned: Combination | Sequence[Combination] | None) -> list[Combination]:
    if learned is None:
        return []
    return [learned] if isinstance(learned, Combination) else list(learned)
