"""Forecast accuracy metrics: WAPE, MASE (seasonal scale), pinball loss and bias."""

from __future__ import annotations

import warnings

import numpy as np


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ|y − ŷ| / Σ|y| over every series and period (NaN actuals are ignored)."""
    mask = np.isfinite(actual)
    denom = np.abs(actual[mask]).sum()
    return float(np.abs(actual[mask] - forecast[mask]).sum() / denom) if denom > 0 else float("nan")


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ(ŷ − y) / Σ|y|: positive means over-forecasting."""
    mask = np.isfinite(actual)
    denom = np.abs(actual[mask]).sum()
    return float((forecast[mask] - actual[mask]).sum() / denom) if denom > 0 else float("nan")


def seasonal_scale(history: np.ndarray, season: int) -> np.ndarray:
    """Per-series in-sample MAE of the seasonal naive forecast (the MASE denominator); NaN if undefined."""
    history = np.atleast_2d(history)
    diffs = np.abs(history[:, season:] - history[:, :-season])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmean(diffs, axis=1)
    return np.where(scale > 0, scale, np.nan)


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int) -> float:
    """Mean over series of MAE / seasonal-naive in-sample MAE; series with a zero scale are skipped."""
    actual, forecast = np.atleast_2d(actual), np.atleast_2d(forecast)
    scale = seasonal_scale(history, season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_series = np.nanmean(np.abs(actual - forecast), axis=1) / scale
    per_series = per_series[np.isfinite(per_series)]
    return float(per_series.mean()) if per_series.size else float("nan")


def pinball(actual: np.ndarray, quantile_forecasts: np.ndarray, quantiles: tuple[float, ...]) -> float:
    """Mean pinball loss; `quantile_forecasts` has the quantiles on its last axis."""
    q = np.asarray(quantiles, dtype=float)
    diff = actual[..., None] - quantile_forecasts
    loss = np.maximum(q * diff, (q - 1) * diff)
    return float(np.nanmean(loss))


def scaled_pinball(actual: np.ndarray, quantile_forecasts: np.ndarray, quantiles: tuple[float, ...]) -> float:
    """Pinball loss divided by the mean |actual|, comparable across datasets of different size."""
    denom = np.nanmean(np.abs(actual))
    return pinball(actual, quantile_forecasts, quantiles) / denom if denom > 0 else float("nan")


def coverage(actual: np.ndarray, quantile_forecast: np.ndarray) -> float:
    """Share of (finite) actuals at or below the quantile forecast: ≈ q for a calibrated quantile q."""
    mask = np.isfinite(actual)
    return float((actual[mask] <= quantile_forecast[mask]).mean()) if mask.any() else float("nan")
