"""The one adapter between planning and the forecasting library's champion/challenger entry point.

`ml_models.champion.fit_and_forecast` / `forecast_with` (the library's contract, see the forecast interface)
is used when it exists. Until then this module falls back to today's library calls with the same result
shape: per demand class, the candidate with the lowest rolling-origin WAPE is served, and the fine-tuned
network only where it beats the best baseline on the same origin. At merge only this file changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # torch-side imports stay lazy at run time
    from ml_models.features import DemandPanel
    from ml_models.tracking import LoadedModel

Progress = Callable[[int, str], None]
QUANTILES = (0.1, 0.5, 0.9)
SEASON = 7
# Below this many observed days a series cannot be scored on even one origin: it is "short".
MIN_SCORED_DAYS = 56
FINE_TUNE_EPOCHS = 3
FINE_TUNE_SAMPLES = 2_000
BASELINES = ("seasonal_naive", "moving_average", "ets", "tsb", "croston_sba")
SHORT_CANDIDATE = "moving_average"


@dataclass
class ChampionResult:
    """The library contract's result (see ml_models.champion once it lands)."""

    start: date
    horizon: int
    quantiles: tuple[float, ...]
    values: np.ndarray  # (N, horizon, len(quantiles)), >= 0, 0 on closed days
    demand_class: list[str]
    served: dict[str, str]
    backtest: dict[str, dict[str, float]]
    coverage: dict[str, float]
    notes: list[tuple[str, dict[str, Any]]]
    network_state: dict[str, Any] | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def fit_and_forecast(
    panel: DemandPanel,
    *,
    horizon: int = 28,
    origins: int = 3,
    base: LoadedModel | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> ChampionResult:
    """Select per demand class on a rolling-origin backtest, then forecast `horizon` days after the panel."""
    try:
        from ml_models import champion  # type: ignore[attr-defined]
    except ImportError:
        return _fit_and_forecast_today(panel, horizon, origins, base, seed, progress)
    result: ChampionResult = champion.fit_and_forecast(
        panel, horizon=horizon, origins=origins, base=base, seed=seed, progress=progress
    )
    return result


def forecast_with(saved: dict[str, Any], panel: DemandPanel, *, horizon: int = 28) -> ChampionResult:
    """Serve from a saved champion choice (no re-selection): nightly forecasts between fine-tunes."""
    try:
        from ml_models import champion  # type: ignore[attr-defined]
    except ImportError:
        return _forecast_with_today(saved, panel, horizon)
    result: ChampionResult = champion.forecast_with(saved, panel, horizon=horizon)
    return result


# --- the fallback over today's library ----------------------------------------------------------------------


def library_panel(panel: DemandPanel) -> DemandPanel:
    """`panel` with only the channels today's library accepts (its DemandPanel rebuilds itself in head() and
    subset() and refuses "open"/"holiday"); the planning side reads those two from the full panel."""
    from ml_models.features import EXOG_CHANNELS, DemandPanel

    known = {name: channel for name, channel in panel.exog.items() if name in EXOG_CHANNELS}
    return DemandPanel(panel.keys, panel.dates, panel.values, panel.freq, known)


def demand_classes(values: np.ndarray) -> list[str]:
    """Syntetos–Boylan classes per series (ADI 1.32, CV² 0.49); "short" below MIN_SCORED_DAYS observed days."""
    classes = []
    for row in values:
        observed = row[np.isfinite(row)]
        nonzero = observed[observed > 0]
        if observed.size < MIN_SCORED_DAYS or nonzero.size < 2:
            classes.append("short")
            continue
        adi = observed.size / nonzero.size
        cv2 = float((nonzero.std() / nonzero.mean()) ** 2)
        intermittent = adi >= 1.32
        classes.append(("lumpy" if cv2 >= 0.49 else "intermittent") if intermittent else ("erratic" if cv2 >= 0.49 else "smooth"))
    return classes


def _baselines(history: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
    from ml_models.baselines import croston, ets, moving_average, seasonal_naive, tsb

    def per_series(fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return np.stack([fn(row) for row in history]) if len(history) else np.zeros((0, horizon))

    return {
        "seasonal_naive": np.nan_to_num(seasonal_naive(history, horizon, SEASON)),
        "moving_average": moving_average(history, horizon, window=28),
        "ets": np.nan_to_num(per_series(lambda r: ets(r, horizon, SEASON))),
        "tsb": np.nan_to_num(per_series(lambda r: tsb(r, horizon))),
        # Syntetos–Boylan's bias correction of Croston's ratio (α = 0.1)
        "croston_sba": np.nan_to_num(per_series(lambda r: croston(r, horizon) * 0.95)),
    }


def _open_mask(panel: DemandPanel, start: int, horizon: int) -> np.ndarray:
    """1 open / 0 closed for the `horizon` days from column `start` (missing channel: always open)."""
    channel = panel.exog.get("open")
    if channel is None:
        return np.ones((len(panel.keys), horizon), dtype=np.float32)
    window = np.asarray(channel[:, start : start + horizon], dtype=np.float32)
    if window.shape[1] < horizon:
        window = np.pad(window, ((0, 0), (0, horizon - window.shape[1])), constant_values=1.0)
    return np.where(np.isfinite(window), window, 1.0)


def _wape(actual: np.ndarray, forecast: np.ndarray, rows: np.ndarray) -> float:
    a, f = actual[rows], forecast[rows]
    mask = np.isfinite(a)
    total = float(np.abs(a[mask]).sum())
    return float(np.abs(a[mask] - f[mask]).sum() / total) if total > 0 else float("nan")


@dataclass
class _Backtest:
    forecasts: dict[str, list[np.ndarray]]  # candidate -> per origin (N, H)
    actuals: list[np.ndarray]


def _rolling_origin(panel: DemandPanel, horizon: int, origins: int) -> _Backtest:
    t = panel.values.shape[1]
    out = _Backtest({name: [] for name in BASELINES}, [])
    for k in range(origins, 0, -1):
        cut = t - k * horizon
        if cut < MIN_SCORED_DAYS - horizon:
            continue
        history = panel.values[:, :cut].astype(float)
        closed = _open_mask(panel, cut, horizon)
        for name, forecast in _baselines(history, horizon).items():
            out.forecasts[name].append(forecast * closed)
        out.actuals.append(panel.values[:, cut : cut + horizon].astype(float))
    return out


def _scores(backtest: _Backtest, rows: np.ndarray, last_only: bool = False) -> dict[str, float]:
    """WAPE per candidate over the class's series, pooled over the origins (or the last origin only)."""
    count = 1 if last_only else len(backtest.actuals)
    if count == 0:
        return {}
    actual = np.concatenate(backtest.actuals[-count:], axis=1)
    scores = {}
    for name, per_origin in backtest.forecasts.items():
        score = _wape(actual, np.concatenate(per_origin[-count:], axis=1), rows)
        if np.isfinite(score):
            scores[name] = round(score, 4)
    return scores


def _network_forecast(model: Any, panel: DemandPanel, horizon: int) -> np.ndarray:
    """(N, horizon, 3) P10/P50/P90 of the network from the end of `panel`, sorted, ≥ 0."""
    from ml_models.serving import forecast

    result = forecast(model, library_panel(panel))
    q = [result.quantiles.index(x) for x in QUANTILES]
    values = np.sort(result.values[:, :horizon, q], axis=2)
    if values.shape[1] < horizon:  # the network's own horizon is shorter: hold its last day
        values = np.concatenate([values, np.repeat(values[:, -1:, :], horizon - values.shape[1], axis=1)], axis=1)
    return np.maximum(values, 0.0)


def _band(point: np.ndarray, residuals: np.ndarray | None) -> np.ndarray:
    """P10/P50/P90 around a point forecast from the series' backtest errors (actual − forecast)."""
    n = point.shape[0]
    out = np.repeat(point[:, :, None], 3, axis=2)
    if residuals is None:
        return out
    low = np.nanquantile(residuals, 0.1, axis=1) if residuals.shape[1] else np.zeros(n)
    high = np.nanquantile(residuals, 0.9, axis=1) if residuals.shape[1] else np.zeros(n)
    out[:, :, 0] = np.maximum(point + np.nan_to_num(low)[:, None], 0.0)
    out[:, :, 2] = np.maximum(point + np.nan_to_num(high)[:, None], point)
    return out


def _coverage(backtest: _Backtest, name: str, rows: np.ndarray) -> float:
    per_origin = backtest.forecasts.get(name) or []
    if len(per_origin) < 2:
        return float("nan")
    # Bands from the earlier origins' errors, scored on the last origin: what a customer would have seen.
    errors = np.concatenate([a - f for a, f in zip(backtest.actuals[:-1], per_origin[:-1], strict=True)], axis=1)[rows]
    band = _band(per_origin[-1][rows], errors)
    actual = backtest.actuals[-1][rows]
    mask = np.isfinite(actual)
    inside = (actual >= band[:, :, 0] - 1e-9) & (actual <= band[:, :, 2] + 1e-9)
    return round(float(inside[mask].mean()), 4) if mask.any() else float("nan")


def _residuals(backtest: _Backtest, name: str) -> np.ndarray | None:
    per_origin = backtest.forecasts.get(name) or []
    if not per_origin:
        return None
    return np.concatenate([a - f for a, f in zip(backtest.actuals, per_origin, strict=True)], axis=1)


def _fit_and_forecast_today(
    panel: DemandPanel, horizon: int, origins: int, base: LoadedModel | None, seed: int, progress: Progress | None
) -> ChampionResult:
    from ml_models.training import EmptyTrainingSet

    report = progress or (lambda percent, stage: None)
    t = panel.values.shape[1]
    classes = demand_classes(panel.values)
    report(5, "backtesting baselines")
    backtest = _rolling_origin(panel, horizon, origins)
    network_last: np.ndarray | None = None
    tuned_model: Any = None
    untrainable: list[tuple[str, dict[str, Any]]] = []
    if base is not None:
        try:
            tuned_model, network_last = _tune_network(panel, base, horizon, seed, report)
        except EmptyTrainingSet:
            # Too little history for the network's lag window, horizon and validation period: the
            # baselines serve every class, and each class says why.
            untrainable = [("history_too_short", {"class": c, "days": t}) for c in sorted(set(classes)) if c != "short"]
    report(85, "choosing the served model per class")
    served, scores, coverage, notes = _select(panel, classes, backtest, network_last)
    notes += untrainable
    values = _serve(panel, classes, served, backtest, tuned_model, horizon)
    metrics = {f"wape_{c}_{name}": s for c, by_name in scores.items() for name, s in by_name.items()}
    saved_state = {"served": served, "network": tuned_model} if tuned_model is not None else None
    return ChampionResult(
        start=(panel.dates[-1] + pd.Timedelta(days=1)).date(),
        horizon=horizon,
        quantiles=QUANTILES,
        values=values,
        demand_class=classes,
        served=served,
        backtest=scores,
        coverage=coverage,
        notes=notes,
        network_state=saved_state,
        metrics=metrics,
    )


def _tune_network(panel: DemandPanel, base: LoadedModel, horizon: int, seed: int, report: Progress) -> tuple[Any, np.ndarray]:
    """Fine-tune the base network on the history before the last origin; its P50 there, closed days zero."""
    from ml_models.training import fine_tune

    t = panel.values.shape[1]
    report(20, "fine-tuning")
    tuned = fine_tune(
        base.model,
        library_panel(panel).head(t - horizon),
        epochs=FINE_TUNE_EPOCHS,
        samples_per_epoch=FINE_TUNE_SAMPLES,
        seed=seed,
        progress=lambda percent, stage: report(20 + int(percent * 0.6), stage),
    )
    last = _network_forecast(tuned.model, library_panel(panel).head(t - horizon), horizon)[:, :, 1]
    return tuned.model, last * _open_mask(panel, t - horizon, horizon)


def _select(
    panel: DemandPanel, classes: list[str], backtest: _Backtest, network_last: np.ndarray | None
) -> tuple[dict[str, str], dict[str, dict[str, float]], dict[str, float], list[tuple[str, dict[str, Any]]]]:
    served: dict[str, str] = {}
    scores: dict[str, dict[str, float]] = {}
    coverage: dict[str, float] = {}
    notes: list[tuple[str, dict[str, Any]]] = []
    labels = np.asarray(classes)
    for demand_class in sorted(set(classes)):
        rows = np.flatnonzero(labels == demand_class)
        if demand_class == "short":
            served["short"] = SHORT_CANDIDATE
            observed = int(np.isfinite(panel.values[rows]).sum(axis=1).max())
            notes.append(("history_too_short", {"class": "short", "days": observed, "needed": MIN_SCORED_DAYS}))
            continue
        by_name = _scores(backtest, rows)
        if not by_name:
            served[demand_class] = SHORT_CANDIDATE
            notes.append(("history_too_short", {"class": demand_class, "days": panel.values.shape[1]}))
            continue
        best = min(by_name, key=lambda name: by_name[name])
        served[demand_class] = best
        if network_last is not None and backtest.actuals:
            last = _scores(backtest, rows, last_only=True)
            network = _wape(backtest.actuals[-1], network_last, rows)
            by_name["network"] = round(network, 4)
            best_last = min(last.values(), default=float("inf"))
            if network < best_last:
                served[demand_class] = "network"
            else:
                notes.append(("network_not_better", {"class": demand_class, "network": round(network, 4), "best": best_last}))
        scores[demand_class] = by_name
        coverage[demand_class] = _coverage(backtest, best, rows)
    return served, scores, coverage, notes


def _serve(
    panel: DemandPanel, classes: list[str], served: dict[str, str], backtest: _Backtest, network: Any, horizon: int
) -> np.ndarray:
    t = panel.values.shape[1]
    history = panel.values.astype(float)
    points = _baselines(history, horizon)
    values = np.zeros((len(panel.keys), horizon, 3), dtype=np.float32)
    labels = np.asarray(classes)
    network_values = _network_forecast(network, panel, horizon) if network is not None and "network" in served.values() else None
    for demand_class, name in served.items():
        rows = np.flatnonzero(labels == demand_class)
        if name == "network" and network_values is not None:
            values[rows] = network_values[rows]
            continue
        residuals = _residuals(backtest, name)
        values[rows] = _band(points[name][rows], None if residuals is None else residuals[rows])
    return values * _open_mask(panel, t, horizon)[:, :, None]


def _forecast_with_today(saved: dict[str, Any], panel: DemandPanel, horizon: int) -> ChampionResult:
    classes = demand_classes(panel.values)
    backtest = _rolling_origin(panel, horizon, 2)  # residuals for the bands only; no re-selection
    served = {c: saved.get("served", {}).get(c, SHORT_CANDIDATE) for c in set(classes)}
    network = saved.get("network")
    if network is None:
        served = {c: (SHORT_CANDIDATE if name == "network" else name) for c, name in served.items()}
    values = _serve(panel, classes, served, backtest, network, horizon)
    return ChampionResult(
        start=(panel.dates[-1] + pd.Timedelta(days=1)).date(),
        horizon=horizon,
        quantiles=QUANTILES,
        values=values,
        demand_class=classes,
        served=served,
        backtest={},
        coverage={},
        notes=[],
        network_state={"served": served, "network": network} if network is not None else None,
    )


def served_network(result: ChampionResult) -> Any:
    """The network that serves some class of `result` (to explain its forecasts), or None."""
    if "network" not in result.served.values():
        return None
    return (result.network_state or {}).get("network")


def log_champion(
    result: ChampionResult, name: str, params: dict[str, object], tags: dict[str, str], tracking_uri: str
) -> str | None:
    """Register the fine-tuned network of `result` under `name` with its backtest figures; returns the version,
    or None when the selection kept no network (nothing to store: the baselines refit nightly)."""
    state = result.network_state or {}
    model = state.get("network")
    if model is None:
        return None
    from ml_models.tracking import log_training_run

    report = {"served": result.served, "backtest": result.backtest, "coverage": result.coverage}
    logged = log_training_run(model, name, result.metrics, params=params, tags=tags, report=report, tracking_uri=tracking_uri)
    return logged.version


def load_saved(served: dict[str, str], model_name: str, model_version: str, tracking_uri: str) -> dict[str, Any]:
    """The `saved` argument of forecast_with: the per-class choice and, when a class is served by the network,
    the network version registered with it."""
    saved: dict[str, Any] = {"served": dict(served), "network": None}
    if model_version and "network" in served.values():
        from ml_models.tracking import load_version

        saved["network"] = load_version(model_name, model_version, tracking_uri).model
    return saved
