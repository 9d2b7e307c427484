"""Statistical candidates of the champion: seasonal naive and weekday averages (vectorised), statsforecast's
AutoETS (fitted once, then run forward on newer data with the fitted parameters) and its intermittent-demand
models (Croston SBA, TSB, ADIDA) on the open days only.

Every function returns point forecasts (len(rows), horizon) for the days after `cutoff`, before closed days
are zeroed (ml_models.champion does that for every candidate alike).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from statsforecast.ets import forecast_ets, forward_ets
from statsforecast.models import ADIDA, TSB, AutoETS, CrostonSBA

from ml_models.daily_inputs import DailyInputs

WEEK = 7
# ETS is fitted on the last 40 weeks: long enough for a weekly season and a trend, short enough for
# statsforecast's optimiser to fit 500 series in a minute or two on one core.
ETS_FIT_DAYS = 280
ETS_MIN_DAYS = 4 * WEEK
INTERMITTENT_DAYS = 364


def _weekday_lags(filled: np.ndarray, cutoff: int, horizon: int, weeks: int) -> np.ndarray:
    """(weeks, N, horizon): the same weekday 1…`weeks` weeks before each forecast day, from before the cutoff."""
    steps = np.arange(horizon)
    out = []
    for k in range(1, weeks + 1):
        idx = cutoff - WEEK * k + (steps % WEEK)
        valid = idx >= 0
        values = np.where(valid[None, :], filled[:, np.maximum(idx, 0)], np.nan)
        out.append(values)
    return np.stack(out)


def seasonal_naive(inputs: DailyInputs, cutoff: int, rows: np.ndarray) -> np.ndarray:
    """Each day repeats the same weekday of the last week (the last open one, via the closed-day fill)."""
    lags = _weekday_lags(inputs.filled[rows], cutoff, inputs.horizon, 1)[0]
    return np.nan_to_num(lags)


def weekday_average(inputs: DailyInputs, cutoff: int, rows: np.ndarray, weeks: int = 4) -> np.ndarray:
    """Each day is the mean of the same weekday over the last `weeks` weeks (statsforecast's
    SeasonalWindowAverage, on the closed-day-filled series)."""
    lags = _weekday_lags(inputs.filled[rows], cutoff, inputs.horizon, weeks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmean(lags, axis=0))


def window_average(inputs: DailyInputs, cutoff: int, rows: np.ndarray, days: int = 28) -> np.ndarray:
    """Flat: the mean demand of the open days among the last `days`."""
    lo = max(0, cutoff - days)
    mask = inputs.observed_open(cutoff)[rows, lo:]
    total = np.where(mask, np.nan_to_num(inputs.y[rows, lo:cutoff]), 0.0).sum(axis=1)
    level = total / np.maximum(mask.sum(axis=1), 1)
    return np.repeat(level[:, None], inputs.horizon, axis=1)


# --- AutoETS -------------------------------------------------------------------------------------------------


def fit_ets(inputs: DailyInputs, cutoff: int, rows: np.ndarray) -> dict[int, dict[str, Any]]:
    """AutoETS(season 7) per series on its last ETS_FIT_DAYS days before `cutoff`: the fitted model (components,
    parameters, initial states) and the day its window starts, which `ets_forecast` runs forward from."""
    fitted: dict[int, dict[str, Any]] = {}
    for row in rows:
        observed = np.flatnonzero(np.isfinite(inputs.filled[row, :cutoff]))
        if observed.size < ETS_MIN_DAYS:
            continue
        start = max(int(observed[0]), cutoff - ETS_FIT_DAYS)
        y = np.nan_to_num(inputs.filled[row, start:cutoff])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = AutoETS(season_length=WEEK).fit(y).model_
        fitted[int(row)] = {
            "start": start,
            "m": int(model["m"]),
            "components": str(model["components"]),
            "par": [float(v) for v in model["par"]],
            "n_params": int(model["n_params"]),
        }
    return fitted


def ets_forecast(inputs: DailyInputs, cutoff: int, rows: np.ndarray, fitted: dict[int, dict[str, Any]]) -> np.ndarray:
    """The fitted ETS models run forward over the data up to `cutoff` (no re-fit) and forecast from there; a
    series without a fitted model gets the weekday average."""
    out = weekday_average(inputs, cutoff, rows)
    for j, row in enumerate(rows):
        model = fitted.get(int(row))
        if model is None or model["start"] >= cutoff - WEEK:
            continue
        y = np.nan_to_num(inputs.filled[row, model["start"] : cutoff])
        spec = {**model, "par": np.asarray(model["par"]), "fit": None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = forecast_ets(forward_ets(spec, y=y), h=inputs.horizon)["mean"]
        if np.isfinite(mean).all():
            out[j] = np.maximum(mean, 0.0)
    return out


# --- intermittent demand ---------------------------------------------------------------------------------------

INTERMITTENT_MODELS: dict[str, Callable[[], Any]] = {
    "croston_sba": CrostonSBA,
    "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
    "adida": ADIDA,
}


def intermittent(name: str, inputs: DailyInputs, cutoff: int, rows: np.ndarray) -> np.ndarray:
    """statsforecast's intermittent model `name` on each series' open days of the last year (a closed day is
    no zero-demand day); its per-open-day rate is spread over the open days ahead."""
    model = INTERMITTENT_MODELS[name]()
    lo = max(0, cutoff - INTERMITTENT_DAYS)
    mask = inputs.observed_open(cutoff)[rows, lo:]
    values = np.nan_to_num(inputs.y[rows, lo:cutoff])
    out = np.zeros((len(rows), inputs.horizon))
    for j in range(len(rows)):
        y = values[j, mask[j]]
        if y.size < 2 or not (y > 0).any():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rate = float(model.forecast(y, h=1)["mean"][0])
        out[j] = rate if np.isfinite(rate) else 0.0
    return out
