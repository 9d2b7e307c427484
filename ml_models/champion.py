"""Champion/challenger selection on a tenant's own daily history, and nightly serving of the choice.

`fit_and_forecast` scores every candidate in a rolling-origin backtest (≥ 3 origins at the tenant's horizon
where the history allows), per demand class, serves the one with the best WAPE per class (so nothing worse than
the best baseline is ever served), calibrates its P10/P90 on the backtest residuals, and forecasts.
`forecast_with` re-runs the saved choice on newer data without any selection: vectorised, or cheap per series
(fitted ETS models are run forward, never re-fitted).

Candidates (ml_models.statistical, ml_models.gbm, ml_models.tenant_net): seasonal naive, weekday average and
28-day average (baselines, vectorised); statsforecast's AutoETS, Croston SBA, TSB and ADIDA; a global LightGBM
(lags ≥ horizon) and its direct variant that also sees the days before the origin; the tenant network; and
equal-weight combinations of each class's best candidates and their best weighted mean (weights in tenths,
chosen on the backtest).
Closed days are zero in every candidate and in the served forecast.

Learned candidates and ETS are fitted once at the earliest backtest origin and then forecast from every later
origin with the newer data as input, as they are served (fitted once, forecast nightly); for serving they are
re-fitted on the whole history.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import torch

from ml_models import gbm, statistical, tenant_net
from ml_models.daily_inputs import CLASSES, DailyInputs, demand_classes
from ml_models.features import DemandPanel

QUANTILES = (0.1, 0.5, 0.9)
# 2: band offsets per horizon bucket, weighted combinations.
SAVED_VERSION = 2
BASELINES = ("seasonal_naive", "weekday_average", "window_average", "ets", "croston_sba", "tsb", "adida")
LEARNED = ("lightgbm", "lightgbm_direct", "network")
CLASS_CANDIDATES: dict[str, tuple[str, ...]] = {
    "smooth": ("seasonal_naive", "weekday_average", "window_average", "ets", "lightgbm", "lightgbm_direct", "network"),
    "erratic": ("seasonal_naive", "weekday_average", "window_average", "ets", "lightgbm", "lightgbm_direct", "network"),
    "intermittent": (
        "weekday_average",
        "window_average",
        "ets",
        "croston_sba",
        "tsb",
        "adida",
        "lightgbm",
        "lightgbm_direct",
        "network",
    ),
    "lumpy": (
        "weekday_average",
        "window_average",
        "ets",
        "croston_sba",
        "tsb",
        "adida",
        "lightgbm",
        "lightgbm_direct",
        "network",
    ),
    "short": ("seasonal_naive", "weekday_average", "window_average", "croston_sba"),
}
# AutoETS costs ~0.1–0.3 s per series fit; on intermittent classes it rarely wins, so it is fitted there only
# when the class is small enough to stay within minutes.
ETS_INTERMITTENT_MAX = 300
FALLBACK = "weekday_average"
# Baselines that need no fitted state: what serves a class if its champion cannot be run (the best of these on
# the class's backtest, so even then nothing worse than a baseline serves).
STATELESS = ("seasonal_naive", "weekday_average", "window_average", "croston_sba", "tsb", "adida")
Progress = Callable[[int, str], None]


@dataclass
class ChampionResult:
    start: date
    horizon: int
    quantiles: tuple[float, ...]
    values: np.ndarray  # (N, horizon, len(quantiles)), ≥ 0, 0 on closed days
    demand_class: list[str]
    served: dict[str, str]
    backtest: dict[str, dict[str, float]]
    coverage: dict[str, float]
    notes: list[tuple[str, dict[str, Any]]]
    network_state: dict[str, Any] | None
    metrics: dict[str, float]
    # What forecast_with needs: the classes by key, the served candidate and band offsets per class, each class's
    # stateless fallback, ETS parameters per key, LightGBM models as text and the network state (torch tensors:
    # store it with torch.save or pickle, as tracking does for the window network).
    saved: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChampionOptions:
    """Effort settings: the network's training (tests use a short one)."""

    network: tenant_net.NetConfig = field(default_factory=tenant_net.NetConfig)


def _weighted(name: str) -> list[tuple[str, float]]:
    """A candidate's members and weights: "combo:lightgbm*0.6+network*0.4" (weights chosen on the backtest),
    "combo:ets+network" (equal weights) or a single candidate."""
    parts = name.removeprefix("combo:").split("+")
    pairs = [(p.split("*")[0], float(p.split("*")[1]) if "*" in p else 1.0) for p in parts]
    total = sum(w for _, w in pairs)
    return [(m, w / total) for m, w in pairs]


def _members(name: str) -> list[str]:
    return [m for m, _ in _weighted(name)]


class _Fitted:
    """The fitted states of the stateful candidates at one cutoff."""

    def __init__(self) -> None:
        self.ets: dict[int, dict[str, Any]] = {}
        self.booster: lgb.Booster | None = None
        self.direct: lgb.Booster | None = None
        self.network: tenant_net.TenantNet | None = None


def _fit(
    names: set[str],
    inputs: DailyInputs,
    cutoff: int,
    rows: dict[str, np.ndarray],
    seed: int,
    fitted: _Fitted,
    options: ChampionOptions,
    initial: dict[str, Any] | None = None,
) -> None:
    """Fit the stateful candidates among `names` on the history before `cutoff`. `rows[name]`: series it serves."""
    if "ets" in names:
        fitted.ets = statistical.fit_ets(inputs, cutoff, rows["ets"])
    if "lightgbm" in names:
        fitted.booster = gbm.fit_gbm(inputs, cutoff, rows["lightgbm"], seed=seed)
    if "lightgbm_direct" in names:
        fitted.direct = gbm.fit_gbm_direct(inputs, cutoff, rows["lightgbm_direct"], seed=seed)
    if "network" in names:
        config = replace(options.network, horizon=inputs.horizon, quantiles=QUANTILES)
        fitted.network = tenant_net.fit_net(inputs, cutoff, rows["network"], config, seed=seed, initial=initial)


def _predict(name: str, inputs: DailyInputs, cutoff: int, rows: np.ndarray, fitted: _Fitted) -> np.ndarray | None:
    """Point forecasts (len(rows), horizon) of one candidate, closed days zero; None if it cannot forecast."""
    if name == "seasonal_naive":
        out = statistical.seasonal_naive(inputs, cutoff, rows)
    elif name == "weekday_average":
        out = statistical.weekday_average(inputs, cutoff, rows)
    elif name == "window_average":
        out = statistical.window_average(inputs, cutoff, rows)
    elif name == "ets":
        out = statistical.ets_forecast(inputs, cutoff, rows, fitted.ets)
    elif name in statistical.INTERMITTENT_MODELS:
        out = statistical.intermittent(name, inputs, cutoff, rows)
    elif name == "lightgbm":
        if fitted.booster is None:
            return None
        out = gbm.gbm_forecast(inputs, cutoff, rows, fitted.booster)
    elif name == "lightgbm_direct":
        if fitted.direct is None:
            return None
        out = gbm.gbm_direct_forecast(inputs, cutoff, rows, fitted.direct)
    elif name == "network":
        if fitted.network is None:
            return None
        out = tenant_net.net_forecast(inputs, cutoff, rows, fitted.network)[..., QUANTILES.index(0.5)]
    else:
        weighted = _weighted(name)
        parts = [_predict(member, inputs, cutoff, rows, fitted) for member, _ in weighted]
        if any(p is None for p in parts):
            return None
        out = np.sum([w * p for (_, w), p in zip(weighted, parts, strict=True) if p is not None], axis=0)
    return np.maximum(out, 0.0) * inputs.future_open(cutoff)[rows]


def _wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    mask = np.isfinite(actual)
    denom = np.abs(actual[mask]).sum()
    return float(np.abs(actual[mask] - forecast[mask]).sum() / denom) if denom > 0 else float("nan")


def _residual_scale(inputs: DailyInputs, cutoff: int, rows: np.ndarray, point: np.ndarray) -> np.ndarray:
    """What a residual is divided by before its quantiles are pooled: between the series' level and the day's
    forecast, so a Saturday peak gets a wider band than a Monday, and a zero forecast still gets one."""
    level = inputs.scale(cutoff)[rows][:, None]
    return np.maximum(0.5 * level + 0.5 * point, 1e-6)


@dataclass
class _Backtest:
    """Per cutoff: the actuals, each candidate's forecasts and the residual scales, over all series."""

    cutoffs: list[int]
    actual: list[np.ndarray]
    forecasts: dict[str, list[np.ndarray]]

    def scored(self, name: str, rows: np.ndarray) -> bool:
        return name in self.forecasts and all(np.isfinite(f[rows]).all() for f in self.forecasts[name])

    def wape(self, name: str, rows: np.ndarray) -> float:
        actual = np.concatenate([a[rows] for a in self.actual])
        forecast = np.concatenate([f[rows] for f in self.forecasts[name]])
        return _wape(actual, forecast)


def _scaled_residuals(inputs: DailyInputs, bt: _Backtest, name: str, rows: np.ndarray) -> list[np.ndarray]:
    """Per cutoff: (actual − P50) / residual scale, (len(rows), horizon), NaN on closed or unobserved days."""
    out = []
    for k, cutoff in enumerate(bt.cutoffs):
        point = bt.forecasts[name][k][rows]
        actual = bt.actual[k][rows]
        mask = np.isfinite(actual) & inputs.future_open(cutoff)[rows]
        out.append(np.where(mask, (actual - point) / _residual_scale(inputs, cutoff, rows, point), np.nan))
    return out


# Horizon buckets calibrated apart: the first week's errors are smaller than the later weeks' (the level is
# fresher), so one pooled band is too wide at the start and too narrow at the end.
BUCKETS = ((0, 7), (7, None))
NO_OFFSETS = [[0.0, 0.0, 0.0] for _ in BUCKETS]


def _calibrate_buckets(per_origin: list[np.ndarray], horizon: int) -> tuple[list[list[float]], float]:
    """Offsets per horizon bucket (see _calibrate), and the P10–P90 cross-conformal coverage over all buckets.
    A bucket without residuals (a horizon shorter than a week) takes the whole horizon's offsets."""
    flat = [r[np.isfinite(r)] for r in per_origin]
    whole, whole_cov = _calibrate(flat)
    offsets, hits, total = [], 0.0, 0
    for lo, hi in BUCKETS:
        part = [r[:, lo : hi if hi is not None else horizon] for r in per_origin]
        part = [r[np.isfinite(r)] for r in part]
        size = sum(r.size for r in part)
        if size == 0:
            offsets.append(whole)
            continue
        bucket, cov = _calibrate(part)
        offsets.append(bucket)
        if np.isfinite(cov):
            hits += cov * size
            total += size
    return offsets, (hits / total if total else whole_cov)


def _offsets(residuals: np.ndarray, tail: float = 0.1) -> list[float]:
    """Residual quantiles at (tail, 0.5, 1 − tail): the offsets of P10, P50 and P90."""
    if residuals.size == 0:
        return [0.0] * len(QUANTILES)
    return [float(v) for v in np.quantile(residuals, (tail, 0.5, 1 - tail))]


def _cross_coverage(per_origin: list[np.ndarray], tail: float = 0.1) -> float:
    """P10–P90 coverage of each origin's residuals by bands calibrated on the other origins (cross-conformal):
    an honest estimate, since no origin is covered by a band fitted to itself."""
    hits, total = 0, 0
    for k, held in enumerate(per_origin):
        rest = [r for j, r in enumerate(per_origin) if j != k]
        if held.size == 0 or not rest or not np.concatenate(rest).size:
            continue
        lo, _, hi = _offsets(np.concatenate(rest), tail)
        hits += int(((held >= lo) & (held <= hi)).sum())
        total += held.size
    return hits / total if total else float("nan")


# Residual tails tried for the band; the one whose cross-conformal coverage is nearest 80 % is used. Residuals of
# one origin are not exchangeable with the next (levels drift), so the nominal 10 % tail can under-cover.
TAILS = tuple(np.round(np.arange(0.03, 0.16, 0.01), 2))
TARGET_COVERAGE = 0.8


def _calibrate(per_origin: list[np.ndarray]) -> tuple[list[float], float]:
    """Offsets of P10/P50/P90 from every origin's residuals, at the tail whose cross-conformal P10–P90 coverage
    is nearest 80 %, and that coverage."""
    pooled = np.concatenate(per_origin) if per_origin else np.empty(0)
    scored = [(tail, _cross_coverage(per_origin, tail)) for tail in TAILS]
    scored = [(tail, cov) for tail, cov in scored if np.isfinite(cov)]
    if not scored:
        return _offsets(pooled), float("nan")
    tail, cov = min(scored, key=lambda tc: (abs(tc[1] - TARGET_COVERAGE), abs(tc[0] - 0.1)))
    return _offsets(pooled, tail), cov


def _quantile_values(
    inputs: DailyInputs, cutoff: int, rows: np.ndarray, point: np.ndarray, offsets: list[list[float]]
) -> np.ndarray:
    """(len(rows), horizon, 3): the point forecast as P50 and P10/P90 from the calibrated residual offsets of
    each day's horizon bucket."""
    scale = _residual_scale(inputs, cutoff, rows, point)
    horizon = point.shape[1]
    low, high = np.zeros(horizon), np.zeros(horizon)
    for (start, end), bucket in zip(BUCKETS, offsets, strict=True):
        low[start:end], high[start:end] = bucket[0], bucket[2]
    lo = np.minimum(np.maximum(point + low[None, :] * scale, 0.0), point)
    hi = np.maximum(point + high[None, :] * scale, point)
    out = np.stack([lo, point, hi], axis=-1)
    return out * inputs.future_open(cutoff)[rows][..., None]


def _candidates_for(cls: str, size: int, warm: bool = False) -> tuple[str, ...]:
    """The class's candidates; a history too short to learn from still tries the network when it starts from a
    base model (fine-tuned where the history allows, the base as it is otherwise): that is what a base is for."""
    names = CLASS_CANDIDATES[cls]
    if cls == "short" and warm:
        names = (*names, "network")
    if cls in ("intermittent", "lumpy") and size > ETS_INTERMITTENT_MAX:
        names = tuple(n for n in names if n != "ets")
    return names


def _cutoffs(n_days: int, horizon: int, origins: int) -> list[int]:
    """Rolling origins: the last `origins` horizons, earliest first, each leaving ≥ 8 weeks of history."""
    return [n_days - k * horizon for k in range(origins, 0, -1) if n_days - k * horizon >= 56]


def _report(progress: Progress | None, percent: int, stage: str) -> None:
    if progress is not None:
        progress(percent, stage)


def fit_and_forecast(
    panel: DemandPanel,
    *,
    horizon: int = 28,
    origins: int = 3,
    base: Any | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    options: ChampionOptions | None = None,
) -> ChampionResult:
    """Select per demand class by rolling-origin backtest WAPE, calibrate and forecast `horizon` days.

    `base`: the network's starting weights (see _base_network); `options`: effort settings.
    """
    torch.set_num_threads(1)
    options = options or ChampionOptions()
    inputs = DailyInputs.from_panel(panel, horizon)
    n, t = inputs.n_series, inputs.n_days
    min_days = horizon * (origins + 1)
    classes = demand_classes(inputs, t, min_days)
    notes: list[tuple[str, dict[str, Any]]] = []
    by_class = {c: np.flatnonzero(np.array(classes) == c) for c in CLASSES}
    by_class = {c: rows for c, rows in by_class.items() if rows.size}
    cutoffs = _cutoffs(t, horizon, origins)
    if len(cutoffs) < origins:
        notes.append(("fewer_backtest_origins", {"origins": len(cutoffs), "requested": origins}))
    if "short" in by_class:
        notes.append(("history_too_short", {"class": "short", "series": int(by_class["short"].size), "days": min_days}))
    initial = _base_network(base, options, notes)
    if initial is not None and t >= min_days:
        # tests/bench/bench_forecast_warm.py: from 180 days on, the cold network beat the one fine-tuned from the
        # vertical's base (holdout WAPE served 0.142 vs 0.144, 0.134 vs 0.139); at 90 days they tie (0.175, 0.165)
        # and only the base can take part at all. So the base serves histories too short for all origins only.
        initial = None
        notes.append(("network_cold_start", {"days": t, "warm_below_days": min_days}))
    wanted = {c: _candidates_for(c, rows.size, warm=initial is not None) for c, rows in by_class.items()}
    rows_of = _rows_per_candidate(wanted, by_class)

    bt = _Backtest(cutoffs, [], {})
    fitted = _Fitted()
    if cutoffs:
        _report(progress, 5, "backtest")
        _fit(set(rows_of), inputs, cutoffs[0], rows_of, seed, fitted, options, initial)
        _report(progress, 50, "backtest")
    for cutoff in cutoffs:
        bt.actual.append(inputs.y[:, cutoff : cutoff + horizon])
        for name, rows in rows_of.items():
            pred = _predict(name, inputs, cutoff, rows, fitted)
            if pred is None:
                continue
            full = bt.forecasts.setdefault(name, [])
            block = np.full((n, horizon), np.nan)
            block[rows] = pred
            full.append(block)
    bt.forecasts = {k: v for k, v in bt.forecasts.items() if len(v) == len(cutoffs)}

    served, backtest, coverage, offsets, fallbacks = {}, {}, {}, {}, {}
    for cls, rows in by_class.items():
        scores = {name: bt.wape(name, rows) for name in wanted[cls] if cutoffs and bt.scored(name, rows)}
        scores = {k: v for k, v in scores.items() if np.isfinite(v)}
        scores.update(_combinations(bt, scores, rows))
        backtest[cls] = scores
        if not scores:
            served[cls], offsets[cls], coverage[cls] = FALLBACK, NO_OFFSETS, float("nan")
            notes.append(("no_backtest", {"class": cls, "served": FALLBACK}))
            continue
        best = min(scores, key=lambda k: (scores[k], len(_members(k))))
        served[cls] = best
        fallbacks[cls] = min((k for k in scores if k in STATELESS), key=scores.__getitem__, default=FALLBACK)
        residuals = _scaled_residuals(inputs, bt, best, rows)
        offsets[cls], coverage[cls] = _calibrate_buckets(residuals, horizon)
        baseline = min((v for k, v in scores.items() if k in BASELINES), default=float("nan"))
        if "network" in scores and "network" not in _members(best):
            notes.append(
                ("network_not_better", {"class": cls, "network": round(scores["network"], 4), "best": round(scores[best], 4)})
            )
        if np.isfinite(baseline) and not any(m in LEARNED for m in _members(best)):
            notes.append(("baseline_served", {"class": cls, "served": best, "wape": round(scores[best], 4)}))

    _report(progress, 60, "fitting")
    needed = {m for name in served.values() for m in _members(name)}
    serve_rows = _rows_per_candidate({c: tuple(_members(served[c])) for c in by_class}, by_class)
    final = _Fitted()
    _fit(needed & {"ets", "lightgbm", "lightgbm_direct", "network"}, inputs, t, serve_rows, seed, final, options, initial)
    if initial is not None and final.network is None:
        notes.append(("network_not_trained", {}))
    _report(progress, 90, "forecasting")
    values, fell_back = _serve(inputs, classes, served, offsets, final, fallbacks)
    notes.extend(("fallback_served", {"class": c, "served": fallbacks.get(c, FALLBACK)}) for c in fell_back)
    saved = _saved(panel, horizon, classes, served, offsets, final)
    saved["fallbacks"] = fallbacks
    metrics = _metrics(bt, by_class, served, backtest, coverage)
    _report(progress, 100, "done")
    return ChampionResult(
        start=(panel.dates[-1] + pd.Timedelta(days=1)).date(),
        horizon=horizon,
        quantiles=QUANTILES,
        values=values.astype(np.float32),
        demand_class=classes,
        served=served,
        backtest=backtest,
        coverage=coverage,
        notes=notes,
        network_state=saved["network"],
        metrics=metrics,
        saved=saved,
    )


def _rows_per_candidate(wanted: dict[str, tuple[str, ...]], by_class: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each candidate (and each member of a combination) → the series of the classes that use it. The global
    learners always train on every series with enough history (more data, the same single model)."""
    out: dict[str, list[np.ndarray]] = {}
    for cls, names in wanted.items():
        for name in names:
            for member in [name, *(_members(name) if name.startswith("combo:") else [])]:
                out.setdefault(member, []).append(by_class[cls])
    rows = {k: np.unique(np.concatenate(v)) for k, v in out.items()}
    long = np.concatenate([r for c, r in by_class.items() if c != "short"]) if any(c != "short" for c in by_class) else None
    for learner in LEARNED:
        if learner in rows and long is not None:
            rows[learner] = np.unique(np.concatenate([rows[learner], long]))
    return {k: v for k, v in rows.items() if not k.startswith("combo:")}


# Weights of a weighted combination are tenths: a coarse grid, so 3 origins cannot be over-fitted by them. With
# fewer origins they are not tried (on the bakery's 2 origins the weighted means lost to the equal ones on the
# holdout: smooth 0.335 vs 0.326, lumpy 0.873 vs 0.867).
WEIGHT_STEP = 10
WEIGHTED_MIN_ORIGINS = 3


def _combinations(bt: _Backtest, scores: dict[str, float], rows: np.ndarray, top: int = 3) -> dict[str, float]:
    """Equal-weight means of the class's best `top` candidates, in pairs and all together, and the weighted mean
    of the three (weights in tenths) with the best backtest WAPE: a learner that is clearly better than the
    others then carries more of the forecast than an equal share."""
    best = sorted(scores, key=scores.__getitem__)[:top]
    out = {}
    for size in range(2, len(best) + 1):
        for members in itertools.combinations(sorted(best), size):
            name = "combo:" + "+".join(members)
            bt.forecasts[name] = [np.mean([bt.forecasts[m][k] for m in members], axis=0) for k in range(len(bt.cutoffs))]
            out[name] = bt.wape(name, rows)
    if len(best) >= 2 and len(bt.cutoffs) >= WEIGHTED_MIN_ORIGINS:
        ranked = sorted(best)
        actual = np.concatenate([a[rows] for a in bt.actual])
        stacked = np.stack([np.concatenate([bt.forecasts[m][k][rows] for k in range(len(bt.cutoffs))]) for m in ranked])
        grid = [w for w in itertools.product(range(WEIGHT_STEP + 1), repeat=len(ranked)) if sum(w) == WEIGHT_STEP]
        grid = [w for w in grid if sum(1 for x in w if x) >= 2]  # a single member is already scored on its own
        wapes = [_wape(actual, np.tensordot(np.array(w, dtype=float) / WEIGHT_STEP, stacked, axes=1)) for w in grid]
        weights = grid[int(np.nanargmin(wapes))]
        name = "combo:" + "+".join(f"{m}*{w / WEIGHT_STEP:g}" for m, w in zip(ranked, weights, strict=True) if w)
        if name not in out:
            bt.forecasts[name] = [
                np.sum([(w / WEIGHT_STEP) * bt.forecasts[m][k] for m, w in zip(ranked, weights, strict=True) if w], axis=0)
                for k in range(len(bt.cutoffs))
            ]
            out[name] = bt.wape(name, rows)
    return out


def _base_network(base: Any | None, options: ChampionOptions, notes: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The weights the tenant network starts from: a TenantNet state of the same architecture, given as a dict
    (`ChampionResult.network_state`, e.g. the tenant's previous champion) or as a `network_state` attribute.
    The vertical base models are still window networks (ml_models.model), which this network cannot start
    from: then it learns from the tenant's history alone, and a note says so."""
    state = base if isinstance(base, dict) else getattr(base, "network_state", None)
    if isinstance(state, dict) and "state_dict" in state:
        theirs = tenant_net.NetConfig.from_dict(state["config"])
        if theirs.hidden == options.network.hidden and len(theirs.quantiles) == len(QUANTILES):
            return state["state_dict"]  # type: ignore[no-any-return]
    if base is not None:
        notes.append(("network_from_tenant_history", {}))
    return None


def _serve(
    inputs: DailyInputs,
    classes: list[str],
    served: dict[str, str],
    offsets: dict[str, list[list[float]]],
    fitted: _Fitted,
    fallbacks: dict[str, str],
) -> tuple[np.ndarray, list[str]]:
    """(N, horizon, 3) served values, and the classes whose champion could not run (their fallback served)."""
    t = inputs.n_days
    fell_back = []
    values = np.zeros((inputs.n_series, inputs.horizon, len(QUANTILES)))
    class_array = np.array(classes)
    for cls, name in served.items():
        rows = np.flatnonzero(class_array == cls)
        if rows.size == 0:
            continue
        point = _predict(name, inputs, t, rows, fitted)
        if point is None:  # a learner that could not be fitted on the whole history: the best stateless baseline
            point = _predict(fallbacks.get(cls, FALLBACK), inputs, t, rows, fitted)
            fell_back.append(cls)
        assert point is not None
        values[rows] = _quantile_values(inputs, t, rows, point, offsets.get(cls, NO_OFFSETS))
    return values, fell_back


def _saved(
    panel: DemandPanel,
    horizon: int,
    classes: list[str],
    served: dict[str, str],
    offsets: dict[str, list[list[float]]],
    fitted: _Fitted,
) -> dict[str, Any]:
    keys = list(panel.keys)
    return {
        "version": SAVED_VERSION,
        "horizon": horizon,
        "quantiles": list(QUANTILES),
        "history_end": panel.dates[-1].date().isoformat(),
        "classes": dict(zip(keys, classes, strict=True)),
        "served": dict(served),
        "offsets": {k: [list(b) for b in v] for k, v in offsets.items()},
        # ETS windows are stored by date so newer panels (longer, or starting later) find them.
        "ets": {keys[row]: {**m, "start": panel.dates[m["start"]].date().isoformat()} for row, m in fitted.ets.items()},
        "lightgbm": fitted.booster.model_to_string() if fitted.booster is not None else None,
        "lightgbm_direct": fitted.direct.model_to_string() if fitted.direct is not None else None,
        "network": tenant_net.net_state(fitted.network) if fitted.network is not None else None,
    }


def _metrics(
    bt: _Backtest,
    by_class: dict[str, np.ndarray],
    served: dict[str, str],
    backtest: dict[str, dict[str, float]],
    coverage: dict[str, float],
) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for cls, scores in backtest.items():
        for name, value in scores.items():
            metrics[f"wape_{cls}_{name.replace(':', '_').replace('+', '_')}"] = value
        if served[cls] in scores:
            metrics[f"wape_served_{cls}"] = scores[served[cls]]
        metrics[f"coverage_{cls}"] = coverage[cls]
    scored = [c for c in by_class if served[c] in bt.forecasts]
    if scored and bt.cutoffs:
        actual = np.concatenate([bt.actual[k][by_class[c]] for c in scored for k in range(len(bt.cutoffs))])
        forecast = np.concatenate([bt.forecasts[served[c]][k][by_class[c]] for c in scored for k in range(len(bt.cutoffs))])
        metrics["wape_served"] = _wape(actual, forecast)
    finite = [v for v in coverage.values() if np.isfinite(v)]
    if finite:
        metrics["coverage"] = float(np.mean(finite))
    return metrics


def forecast_with(saved: dict[str, Any], panel: DemandPanel, *, horizon: int = 28) -> ChampionResult:
    """Nightly serving from a saved choice (`ChampionResult.saved`): no selection, no re-fit of the learners."""
    torch.set_num_threads(1)
    if saved.get("version") != SAVED_VERSION:
        raise ValueError("unknown saved champion version")
    if horizon != saved["horizon"]:
        raise ValueError(f"the champion was selected for a {saved['horizon']}-day horizon")
    inputs = DailyInputs.from_panel(panel, horizon)
    t = inputs.n_days
    known: dict[str, str] = saved["classes"]
    fresh = [k for k in panel.keys if k not in known]
    classes = [known.get(k, "") for k in panel.keys]
    notes: list[tuple[str, dict[str, Any]]] = []
    if fresh:
        # Series the selection never saw are classified now and served like their class.
        new = demand_classes(inputs, t, horizon * 4)
        classes = [c or new[i] for i, c in enumerate(classes)]
        notes.append(("new_series_classified", {"series": len(fresh)}))
    served = {c: saved["served"].get(c, FALLBACK) for c in set(classes)}
    fitted = _Fitted()
    position = {pd.Timestamp(d).date().isoformat(): i for i, d in enumerate(panel.dates)}
    index = {k: i for i, k in enumerate(panel.keys)}
    for key, model in saved["ets"].items():
        if key in index and model["start"] in position:
            fitted.ets[index[key]] = {**model, "start": position[model["start"]]}
    if saved["lightgbm"]:
        fitted.booster = lgb.Booster(model_str=saved["lightgbm"])
    if saved.get("lightgbm_direct"):
        fitted.direct = lgb.Booster(model_str=saved["lightgbm_direct"])
    if saved["network"]:
        fitted.network = tenant_net.load_net(saved["network"])
    offsets = {c: saved["offsets"].get(c, NO_OFFSETS) for c in served}
    values, fell_back = _serve(inputs, classes, served, offsets, fitted, saved.get("fallbacks", {}))
    notes.extend(("fallback_served", {"class": c, "served": saved.get("fallbacks", {}).get(c, FALLBACK)}) for c in fell_back)
    return ChampionResult(
        start=(panel.dates[-1] + pd.Timedelta(days=1)).date(),
        horizon=horizon,
        quantiles=QUANTILES,
        values=values.astype(np.float32),
        demand_class=classes,
        served=served,
        backtest={},
        coverage={},
        notes=notes,
        network_state=saved["network"],
        metrics={},
        saved=saved,
    )
