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
    horizon = horizon or next(iter(models.values())).config.horizon
    cut = len(panel.dates) - horizon
    history = panel.head(cut)
    actual = panel.values[:, cut:].astype(float)
    keep = np.isfinite(actual).any(axis=1) & np.isfinite(history.values[:, -1])
    history, actual = history.subset(np.flatnonzero(keep)), actual[keep]
    season = panel.season
    methods: dict[str, dict[str, float]] = {}
    q_model: tuple[float, ...] = (0.5,)
    baselines = all_baselines(history.values, horizon, season)
    for name, model in models.items():
        result = forecast(model, history)
        q_model = result.quantiles
        values = result.values[:, :horizon].astype(float)
        methods[name] = _scores(actual, values, q_model, history.values, season)
        median = q_model.index(0.5) if 0.5 in q_model else len(q_model) // 2
        for learned in _as_list((combinations or {}).get(name)):
            member = baselines[learned.member]
            both = combine(values, member, learned.network_weight, median, learned.lower_width, learned.upper_width)
            methods[f"{name}+{learned.member}"] = _scores(actual, both, q_model, history.values, season)
    for name, point in baselines.items():
        stacked = np.repeat(point[..., None], len(q_model), axis=-1)
        methods[name] = _scores(actual, stacked, q_model, history.values, season)
    return HoldoutReport(horizon, int(keep.sum()), methods, tuple(baselines))


def _as_list(learned: Combination | Sequence[Combination] | None) -> list[Combination]:
    if learned is None:
        return []
    return [learned] if isinstance(learned, Combination) else list(learned)
