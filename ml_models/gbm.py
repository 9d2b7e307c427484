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
    "before_closure",
    "day_of_year",
    "day_of_month",
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
# Days before the first training target: the 28-day scale window behind the horizon-long lag.
WARMUP_DAYS = 28


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
        inputs.before_closure(rows[:, None], day),
        np.broadcast_to(inputs.day_of_year[days][None, :], day.shape),
        np.broadcast_to(inputs.day_of_month[days][None, :], day.shape),
    ]
    x = np.stack([np.asarray(c, dtype=np.float32).reshape(-1) for c in columns], axis=1)
    return x, scale


def fit_gbm(inputs: DailyInputs, cutoff: int, rows: np.ndarray, seed: int = 0) -> lgb.Booster | None:
    """Train on every open, observed day before `cutoff` whose features exist; None without enough rows."""
    first = inputs.horizon + WARMUP_DAYS
    if cutoff - first < 14:
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
    pred = np.asarray(booster.predict(x, num_threads=PARAMS["num_threads"])).reshape(len(rows), len(days))
    return np.maximum(np.nan_to_num(pred * scale), 0.0)


# --- direct variant: fresh information from the forecast origin ---------------------------------------------------

DIRECT_FEATURES = (
    "days_ahead",
    "origin_mean_7",
    "origin_weekday_last",
    "origin_weekday_4w",
    "origin_mean_91",
    "lag_horizon_weekday_4w",
    "last_year",
    "weekday",
    "open",
    "promo",
    "price",
    "holiday",
    "holiday_eve",
    "after_closure",
    "before_closure",
    "day_of_year",
    "day_of_month",
)
DIRECT_ORIGIN_STEP = 7


def design_direct(
    inputs: DailyInputs, cutoff: int, series: np.ndarray, origin: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Features of (series, origin, target day) triples, flattened: what the series did just before the origin
    (its level, its last and average same weekday) as well as the lags ≥ horizon and the known future of the
    day. Returns (M, len(DIRECT_FEATURES)) and the scale (M,): the 28-day open-day mean before the origin."""
    roll = _Rolling(inputs, cutoff, np.arange(inputs.n_series))
    r = series[:, None]

    def mean(end: np.ndarray, window: int) -> np.ndarray:
        hi = np.clip(end + 1, 0, cutoff)
        lo = np.clip(end + 1 - window, 0, cutoff)
        count = roll.count[series, hi] - roll.count[series, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, (roll.sum[series, hi] - roll.sum[series, lo]) / np.maximum(count, 1), np.nan)

    scale = mean(origin - 1, 28)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, np.nan)
    ahead = day - origin
    weekday_idx = origin[:, None] - 7 * np.arange(1, 5)[None, :] + (ahead % 7)[:, None]
    weekday_vals = np.where(weekday_idx >= 0, inputs.filled[r, np.clip(weekday_idx, 0, cutoff - 1)], np.nan)
    lag = int(math.ceil(inputs.horizon / 7) * 7)
    lag_idx = day[:, None] - lag - 7 * np.arange(4)[None, :]
    lag_vals = np.where(lag_idx >= 0, inputs.filled[r, np.clip(lag_idx, 0, cutoff - 1)], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        weekday_mean = np.nanmean(weekday_vals, axis=1)
        lag_mean = np.nanmean(lag_vals, axis=1)
    last_day = inputs.open.shape[1] - 1
    opened = inputs.open[series, day]
    holiday = inputs.holiday[series, day]
    columns = [
        ahead,
        mean(origin - 1, 7) / scale,
        weekday_vals[:, 0] / scale,
        weekday_mean / scale,
        mean(origin - 1, 91) / scale,
        lag_mean / scale,
        mean(day - 364 + 3, 7) / scale,
        inputs.weekday[day],
        opened,
        inputs.promo[series, day],
        inputs.price[series, day],
        holiday,
        inputs.holiday[series, np.minimum(day + 1, last_day)] * (1 - holiday),
        (opened & ~inputs.open[series, np.maximum(day - 1, 0)]).astype(np.float32),
        inputs.before_closure(series, day),
        inputs.day_of_year[day],
        inputs.day_of_month[day],
    ]
    return np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=1), scale


def fit_gbm_direct(inputs: DailyInputs, cutoff: int, rows: np.ndarray, seed: int = 0) -> lgb.Booster | None:
    """Train on (series, origin, day) triples: origins every week from day 56, each with its next `horizon`
    days that lie before `cutoff`."""
    horizon = inputs.horizon
    rng = np.random.default_rng(seed)
    origins = np.arange(56 + int(rng.integers(0, DIRECT_ORIGIN_STEP)), cutoff, DIRECT_ORIGIN_STEP)
    if origins.size < 2 or rows.size == 0:
        return None
    s, o, h = np.meshgrid(rows, origins, np.arange(horizon), indexing="ij")
    s, o, d = s.reshape(-1), o.reshape(-1), (o + h).reshape(-1)
    keep = d < cutoff
    s, o, d = s[keep], o[keep], d[keep]
    usable = np.isfinite(inputs.y[s, d]) & inputs.open[s, d]
    s, o, d = s[usable], o[usable], d[usable]
    if s.size > MAX_ROWS:
        pick = np.sort(rng.choice(s.size, MAX_ROWS, replace=False))
        s, o, d = s[pick], o[pick], d[pick]
    x, scale = design_direct(inputs, cutoff, s, o, d)
    ok = np.isfinite(scale)
    if ok.sum() < 500:
        return None
    target = inputs.y[s, d][ok] / scale[ok]
    weight = scale[ok] / scale[ok].mean()
    data = lgb.Dataset(x[ok], target, weight=weight, feature_name=list(DIRECT_FEATURES), categorical_feature=["weekday"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=ROUNDS)


def gbm_direct_forecast(inputs: DailyInputs, cutoff: int, rows: np.ndarray, booster: lgb.Booster) -> np.ndarray:
    horizon = inputs.horizon
    s = np.repeat(rows, horizon)
    d = np.tile(np.arange(cutoff, cutoff + horizon), len(rows))
    x, scale = design_direct(inputs, cutoff, s, np.full(s.size, cutoff), d)
    pred = np.asarray(booster.predict(x, num_threads=PARAMS["num_threads"])) * scale
    return np.maximum(np.nan_to_num(pred), 0.0).reshape(len(rows), horizon)
