"""Baseline forecasts the model must beat: seasonal naive, moving average, Croston, TSB and ETS."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np


def _observed(y: np.ndarray) -> np.ndarray:
    """Drop the leading NaNs of a series that started late."""
    y = np.asarray(y, dtype=float)
    finite = np.flatnonzero(np.isfinite(y))
    return y[finite[0] :] if finite.size else y[:0]


def seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Repeat the last observed season; `history` is (N, T), result (N, horizon). Vectorised."""
    history = np.atleast_2d(history)
    if history.shape[1] < season:
        return moving_average(history, horizon, window=history.shape[1])
    last = history[:, -season:]
    reps = -(-horizon // season)
    return np.tile(last, (1, reps))[:, :horizon]


def moving_average(history: np.ndarray, horizon: int, window: int) -> np.ndarray:
    """Flat forecast at the mean of the last `window` periods (NaNs ignored)."""
    history = np.atleast_2d(history)
    tail = history[:, -window:]
    count = np.isfinite(tail).sum(axis=1)
    level = np.where(count > 0, np.nansum(tail, axis=1) / np.maximum(count, 1), 0.0)
    return np.repeat(level[:, None], horizon, axis=1)


def croston(y: np.ndarray, horizon: int, alpha: float = 0.1) -> np.ndarray:
    """Croston's method: smoothed non-zero size divided by the smoothed interval between demands."""
    y = _observed(y)
    nonzero = np.flatnonzero(y > 0)
    if nonzero.size == 0:
        return np.zeros(horizon)
    # Start from the mean gap between demands (or the wait for the first one), not from 1.
    interval = float(np.diff(nonzero).mean()) if nonzero.size > 1 else float(nonzero[0] + 1)
    size, gap = y[nonzero[0]], 1
    for value in y[nonzero[0] + 1 :]:
        if value > 0:
            size += alpha * (value - size)
            interval += alpha * (gap - interval)
            gap = 1
        else:
            gap += 1
    return np.full(horizon, size / interval)


def tsb(y: np.ndarray, horizon: int, alpha: float = 0.1, beta: float = 0.1) -> np.ndarray:
    """Teunter-Syntetos-Babai: smoothed demand probability × smoothed size; decays when demand stops."""
    y = _observed(y)
    nonzero = np.flatnonzero(y > 0)
    if nonzero.size == 0:
        return np.zeros(horizon)
    prob, size = nonzero.size / y.size, y[nonzero[0]]
    for value in y:
        occurred = value > 0
        prob += beta * (float(occurred) - prob)
        if occurred:
            size += alpha * (value - size)
    return np.full(horizon, prob * size)


_ETS_GRID = list(
    itertools.product((0.05, 0.2, 0.5, 0.8), (0.0, 0.05, 0.2), (0.05, 0.2, 0.5), (0.8, 0.9, 0.98)),
)


def ets(y: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Damped-trend additive Holt-Winters (ETS A,Ad,A), fitted by one-step SSE over a parameter grid.

    Strictly positive series are fitted on the log scale, which makes the seasonality multiplicative
    as retail series need. The grid is evaluated for all candidates at once (vectorised over the grid).
    """
    y = _observed(y)
    y = np.nan_to_num(y)
    if y.size < 2 * season + 2:
        return moving_average(y[None, :], horizon, window=max(1, min(season, y.size)))[0]
    use_log = bool((y > 0).all())
    z = np.log(y) if use_log else y
    grid = np.array(_ETS_GRID)
    a, b, g, phi = (grid[:, i][:, None] for i in range(4))
    k = grid.shape[0]
    # Initial state from the first two seasons: the slope from their means (a regression line would
    # correlate with the seasonal wave), the seasonals from the detrended values.
    t0 = np.arange(2 * season)
    slope = (z[season : 2 * season].mean() - z[:season].mean()) / season
    intercept = z[:season].mean() - slope * (season - 1) / 2
    resid = z[: 2 * season] - (intercept + slope * t0)
    level = np.full((k, 1), intercept + slope * (season - 1))
    trend = np.full((k, 1), slope)
    seas = np.tile((resid[:season] + resid[season:]) / 2, (k, 1))
    sse = np.zeros(k)
    for t in range(season, z.size):
        s = seas[:, t % season][:, None]
        pred = level + phi * trend + s
        err = z[t] - pred
        sse += err[:, 0] ** 2
        new_level = level + phi * trend + a * err
        trend = phi * trend + a * b * err
        seas[:, t % season] = (s + g * (1 - a) * err)[:, 0]
        level = new_level
    best = int(np.argmin(sse))
    steps = np.arange(1, horizon + 1)
    damp = np.cumsum(phi[best, 0] ** steps)
    idx = (z.size + steps - 1) % season
    path = level[best, 0] + damp * trend[best, 0] + seas[best, idx]
    return np.exp(path) if use_log else np.maximum(path, 0.0)


def _per_series(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    return lambda history: np.stack([fn(row) for row in np.atleast_2d(history)])


def all_baselines(history: np.ndarray, horizon: int, season: int) -> dict[str, np.ndarray]:
    """Every baseline's point forecast (N, horizon) for the same histories."""
    history = np.atleast_2d(np.asarray(history, dtype=float))
    filled = np.where(np.isfinite(history), history, np.nan)
    return {
        "seasonal_naive": np.nan_to_num(seasonal_naive(filled, horizon, season)),
        "moving_average": moving_average(filled, horizon, window=season),
        "croston": _per_series(lambda r: croston(r, horizon))(filled),
        "tsb": _per_series(lambda r: tsb(r, horizon))(filled),
        "ets": _per_series(lambda r: ets(r, horizon, season))(filled),
    }
