"""A global LightGBM over every series of a tenant, in the family of the M5 winners: one model, targets scaled
per series, lags of at least the horizon (so one model forecasts all 28 days from one origin without
recursion), rolling means, and the known-future inputs (weekday, open, promotion depth, price, holidays).
"""

from __future__ import annotations

import math
import warnings

import lightgbm as lgb
import numpy as np

from ml_models.daily_inputs import DailyInputs

FEATURES = (
    "lag_1w",
    "lag_2w",
    "lag_3w",
    "lag_4w",
    "mean_7",
    "mean_weekday_4w",
    "mean_91",
    "last_year",
    "weekday",
    "open",
    "promo",
    "price",
    "holiday",
    "holiday_eve",
    "after_closure",
    "day_of_year",
)
PARAMS = {
    "objective": "regression_l1",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 1,
    "seed": 0,
}
ROUNDS = 300
MAX_ROWS = 300_000
WARMUP_DAYS = 56


class _Rolling:
    """Rolling means of the open-day demand before a cutoff, from cumulative sums (vectorised)."""

    def __init__(self, inputs: DailyInputs, cutoff: int, rows: np.ndarray) -> None:
        mask = inputs.observed_open(cutoff)[rows]
        self.sum = np.concatenate(
            [np.zeros((len(rows), 1)), np.cumsum(np.where(mask, np.nan_to_num(inputs.y[rows, :cutoff]), 0.0), axis=1)], axis=1
        )
        self.count = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(mask, axis=1)], axis=1)
        self.cutoff = cutoff

    def mean(self, end: np.ndarray, window: int) -> np.ndarray:
        """Mean over the `window` days ending on day `end` (inclusive), (rows, days); NaN without open days."""
        hi = np.clip(end + 1, 0, self.cutoff)
        lo = np.clip(end + 1 - window, 0, self.cutoff)
        r = np.arange(self.sum.shape[0])[:, None]
        count = self.count[r, hi] - self.count[r, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, (self.sum[r, hi] - self.sum[r, lo]) / np.maximum(count, 1), np.nan)


def design(inputs: DailyInputs, cutoff: int, rows: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features (len(rows) × len(days), len(FEATURES)) for each series × target day, and the series scale
    (len(rows), len(days)) that targets are divided by: the 28-day open-day mean ending `horizon` days before."""
    lag = int(math.ceil(inputs.horizon / 7) * 7)
    roll = _Rolling(inputs, cutoff, rows)
    day = np.broadcast_to(days[None, :], (len(rows), len(days)))
    anchor = day - lag
    scale = roll.mean(anchor, 28)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, np.nan)
    filled = inputs.filled[rows, :cutoff]
    r = np.arange(len(rows))[:, None]

    def shifted(offset: int) -> np.ndarray:
        idx = day - offset
        return np.where((idx >= 0) & (idx < cutoff), filled[r, np.clip(idx, 0, cutoff - 1)], np.nan)

    weekly = [shifted(lag + 7 * k) for k in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        weekday_mean = np.nanmean(np.stack(weekly), axis=0)
    year_ago = roll.mean(day - 364 + 3, 7)
    opened = inputs.open[rows][:, days]
    before = inputs.open[rows][:, np.maximum(days - 1, 0)]
    eve = inputs.holiday[rows][:, np.minimum(days + 1, inputs.open.shape[1] - 1)]
    columns = [
        *(w / scale for w in weekly),
        roll.mean(anchor, 7) / scale,
        weekday_mean / scale,
        roll.mean(anchor, 91) / scale,
        year_ago / scale,
        np.broadcast_to(inputs.weekday[days][None, :], day.shape),
        opened,
        inputs.promo[rows][:, days],
        inputs.price[rows][:, days],
        inputs.holiday[rows][:, days],
        eve * (1 - inputs.holiday[rows][:, days]),
        (opened & ~before).astype(np.float32),
        np.broadcast_to(inputs.day_of_year[days][None, :], day.shape),
    ]
    x = np.stack([np.asarray(c, dtype=np.float32).reshape(-1) for c in columns], axis=1)
    return x, scale


def fit_gbm(inputs: DailyInputs, cutoff: int, rows: np.ndarray, seed: int = 0) -> lgb.Booster | None:
    """Train on every open, observed day before `cutoff` whose features exist; None without enough rows."""
    first = inputs.horizon + WARMUP_DAYS
    if cutoff - first < 28:
        return None
    days = np.arange(first, cutoff)
    x, scale = design(inputs, cutoff, rows, days)
    y = inputs.y[rows][:, days]
    usable = (np.isfinite(y) & inputs.open[rows][:, days] & np.isfinite(scale)).reshape(-1)
    index = np.flatnonzero(usable)
    if index.size < 500:
        return None
    rng = np.random.default_rng(seed)
    if index.size > MAX_ROWS:
        index = np.sort(rng.choice(index, MAX_ROWS, replace=False))
    target = (y / scale).reshape(-1)[index]
    weight = scale.reshape(-1)[index]
    data = lgb.Dataset(
        x[index],
        target,
        weight=weight / weight.mean(),
        free_raw_data=True,
        feature_name=list(FEATURES),
        categorical_feature=["weekday"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=ROUNDS)


def gbm_forecast(inputs: DailyInputs, cutoff: int, rows: np.ndarray, booster: lgb.Booster) -> np.ndarray:
    """(len(rows), horizon) forecasts from the origin `cutoff`; a series without a scale (no open day in the
    window) gets 0."""
    days = np.arange(cutoff, cutoff + inputs.horizon)
    x, scale = design(inputs, cutoff, rows, days)
    pred = booster.predict(x, num_threads=PARAMS["num_threads"]).reshape(len(rows), len(days))
    return np.maximum(np.nan_to_num(pred * scale), 0.0)
