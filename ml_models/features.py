"""Window features over many series at once, scaled per series so one global model serves them all."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ml_models.baselines import ratio_to_moving_average
from ml_models.calendar import CALENDAR_COLUMNS, calendar_features
from ml_models.transforms import DemandTransform

# Known-in-advance exogenous channels. A series without a channel gets zeros and a mask of 0, so the
# same network serves tenants with and without prices, promotions or signals.
EXOG_CHANNELS = ("price", "promo", "precipitation_prob", "temperature", "platform_index")
PRICE_PROMO = ("price", "promo")
SIGNALS = ("precipitation_prob", "temperature", "platform_index")
# Daily known-future channels read by the champion candidates (ml_models.champion), not by the window network:
# "open" 1/0 (missing = always open) and "holiday" 1 on the region's public holidays.
OPENING_CHANNELS = ("open", "holiday")
FREQ_SEASON = {"D": 7, "M": 12}
FREQ_OFFSET = {"D": "D", "M": "MS"}


@dataclass
class DemandPanel:
    """Many series on one date axis: `values[i, t]` is the demand of series i in period `dates[t]`.

    NaN marks a period before a series started (or otherwise unobserved). `exog[name]` is an
    (N, T + k) array: the history plus k ≥ 0 known future periods (planned price, promotion, forecast weather).
    """

    keys: list[str]
    dates: pd.DatetimeIndex
    values: np.ndarray
    freq: str
    exog: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.freq not in FREQ_SEASON:
            raise ValueError(f"unsupported frequency {self.freq!r}")
        self.values = np.asarray(self.values, dtype=np.float32)
        if self.values.shape != (len(self.keys), len(self.dates)):
            raise ValueError("values must be (len(keys), len(dates))")
        unknown = set(self.exog) - set(EXOG_CHANNELS) - set(OPENING_CHANNELS)
        if unknown:
            raise ValueError(f"unknown exogenous channels {sorted(unknown)}")

    @property
    def season(self) -> int:
        return FREQ_SEASON[self.freq]

    def head(self, periods: int) -> DemandPanel:
        """The first `periods` periods (e.g. the history before a holdout)."""
        # Exogenous values beyond the cut stay: they are known in advance (planned price, promotion).
        exog = dict(self.exog)
        return DemandPanel(self.keys, self.dates[:periods], self.values[:, :periods], self.freq, exog)

    def subset(self, rows: np.ndarray | list[int]) -> DemandPanel:
        rows = np.asarray(rows)
        return DemandPanel(
            [self.keys[i] for i in rows],
            self.dates,
            self.values[rows],
            self.freq,
            {k: v[rows] for k, v in self.exog.items()},
        )

    @classmethod
    def from_long(
        cls, frame: pd.DataFrame, key: str, date: str, value: str, freq: str, exog: tuple[str, ...] = ()
    ) -> DemandPanel:
        """Pivot a long table (one row per series × period) into a panel; gaps become NaN."""
        offset = FREQ_OFFSET[freq]
        periods = pd.to_datetime(frame[date])
        if freq == "M":
            periods = periods.dt.to_period("M").dt.to_timestamp()
        frame = frame.assign(**{date: periods})
        dates = pd.date_range(periods.min(), periods.max(), freq=offset)
        wide = frame.pivot_table(index=key, columns=date, values=value, aggfunc="sum").reindex(columns=dates)
        channels = {
            name: frame.pivot_table(index=key, columns=date, values=name, aggfunc="mean")
            .reindex(index=wide.index, columns=dates)
            .to_numpy(np.float32)
            for name in exog
        }
        return cls([str(k) for k in wide.index], dates, wide.to_numpy(np.float32), freq, channels)


@dataclass(frozen=True)
class FeatureLayout:
    """Where each feature family sits in the flat input vector (for explanations)."""

    n_lags: int
    horizon: int

    @property
    def n_calendar(self) -> int:
        return len(CALENDAR_COLUMNS)

    @property
    def families(self) -> dict[str, slice]:
        lags_end = self.n_lags + 1  # the lag window plus the share of zero periods
        cal_end = lags_end + self.horizon * self.n_calendar
        span = self.n_lags + self.horizon
        pp_end = cal_end + span * len(PRICE_PROMO)
        sig_end = pp_end + span * len(SIGNALS)
        return {
            "lags": slice(0, lags_end),
            "calendar": slice(lags_end, cal_end),
            "price_promo": slice(cal_end, pp_end),
            "signals": slice(pp_end, sig_end + len(EXOG_CHANNELS)),
        }

    @property
    def n_inputs(self) -> int:
        return self.families["signals"].stop


def _normalise_exog(name: str, raw: np.ndarray, history: int) -> np.ndarray:
    """Put every channel on a unit-free scale; NaN (unknown) becomes the neutral 0."""
    raw = raw.astype(np.float32)
    if name in ("price", "platform_index"):
        # The mean of the positive history values; a series with none (no price yet) gets no reference.
        positive = np.where(raw[:, :history] > 0, raw[:, :history], np.nan)
        count = np.isfinite(positive).sum(axis=1, keepdims=True)
        ref = np.where(count > 0, np.nansum(positive, axis=1, keepdims=True) / np.maximum(count, 1), np.nan)
        out = raw / np.where(np.isfinite(ref) & (ref > 0), ref, 1.0) - 1.0
    elif name == "temperature":
        out = (raw - 15.0) / 15.0
    else:
        out = raw
    return np.nan_to_num(out, nan=0.0)


# Seasonal indices are clipped to this range: a month at a tenth of the average is real (a shop closed for the
# holidays), one at a hundredth is an estimation accident that would blow the deseasonalised lags up.
INDEX_RANGE = (0.1, 10.0)


def seasonal_indices(window: np.ndarray, positions: np.ndarray, season: int) -> np.ndarray:
    """Per-row multiplicative seasonal indices (B, season) from `window` (B, K), the K periods up to an origin.

    Classical decomposition within the window (ml_models.baselines.ratio_to_moving_average). Only rows whose
    window is fully observed and strictly positive are adjusted; others (intermittent, just started) get 1: a
    ratio to a zero average is meaningless. Causal: an origin's indices use nothing after it, so training,
    validation and serving see the same thing.
    """
    index = ratio_to_moving_average(window, positions, season)
    usable = (np.isfinite(window) & (window > 0)).all(axis=1) & np.isfinite(index).all(axis=1)
    return np.where(usable[:, None], np.clip(index, *INDEX_RANGE), 1.0)


class WindowFeatures:
    """Builds (inputs, scale, targets) for series × origin pairs of one panel, vectorised.

    An origin t is the last observed period; targets are periods t+1 … t+horizon.
    """

    def __init__(self, panel: DemandPanel, n_lags: int, horizon: int, transform: DemandTransform | None = None) -> None:
        self.panel, self.n_lags, self.horizon = panel, n_lags, horizon
        self.transform = transform or DemandTransform()
        self.layout = FeatureLayout(n_lags, horizon)
        n, t = panel.values.shape
        total = t + horizon
        future = pd.date_range(panel.dates[-1], periods=horizon + 1, freq=FREQ_OFFSET[panel.freq])[1:]
        axis = panel.dates.append(future)
        self.calendar = calendar_features(axis, panel.freq)
        # Each period's length relative to the average one (a 28-day February is 0.92 of a month), or ones.
        days = np.asarray(axis.days_in_month if panel.freq == "M" else np.ones(len(axis)), dtype=float)
        self.period_length = days / days.mean() if self.transform.per_day else np.ones(len(axis))
        self.values = np.full((n, total), np.nan, dtype=np.float32)
        self.values[:, :t] = panel.values
        self.exog = np.zeros((len(EXOG_CHANNELS), n, total), dtype=np.float32)
        self.exog_mask = np.zeros((n, len(EXOG_CHANNELS)), dtype=np.float32)
        for c, name in enumerate(EXOG_CHANNELS):
            if name not in panel.exog:
                continue
            raw = np.full((n, total), np.nan, dtype=np.float32)
            width = min(total, panel.exog[name].shape[1])
            raw[:, :width] = panel.exog[name][:, :width]
            self.exog[c] = _normalise_exog(name, raw, t)
            self.exog_mask[:, c] = np.isfinite(raw).any(axis=1)
        self.n_periods = t

    def valid_origins(self, first: int | None = None, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(series, origin) pairs whose lag window and targets are fully observed, origin in [first, last]."""
        lo = self.n_lags - 1 if first is None else max(first, self.n_lags - 1)
        hi = self.n_periods - 1 - self.horizon if last is None else min(last, self.n_periods - 1 - self.horizon)
        if hi < lo:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        observed = np.isfinite(self.values[:, : self.n_periods]).astype(np.int32)
        csum = np.concatenate([np.zeros((observed.shape[0], 1), np.int32), observed.cumsum(axis=1)], axis=1)
        origins = np.arange(lo, hi + 1)
        span = self.n_lags + self.horizon
        full = (csum[:, origins + self.horizon + 1] - csum[:, origins + 1 - self.n_lags]) == span
        rows, cols = np.nonzero(full)
        return rows.astype(np.int64), origins[cols].astype(np.int64)

    def _adjustments(self, series: np.ndarray, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The factor each lag (B, n_lags) and each target period (B, horizon) is divided by before the network
        sees it: period length × seasonal index, each one when the transform leaves it off."""
        lag_idx = origins[:, None] + np.arange(1 - self.n_lags, 1)[None, :]
        tgt_idx = origins[:, None] + np.arange(1, self.horizon + 1)[None, :]
        lag_length, target_length = self.period_length[lag_idx], self.period_length[tgt_idx]
        window = self.transform.seasonal_window
        if not window:
            return lag_length, target_length
        season = self.panel.season
        win_idx = origins[:, None] + np.arange(1 - window, 1)[None, :]
        values = np.where(win_idx >= 0, self.values[series[:, None], np.maximum(win_idx, 0)], np.nan)
        index = seasonal_indices(values / self.period_length[np.maximum(win_idx, 0)], win_idx % season, season)
        rows = np.arange(len(series))[:, None]
        return lag_length * index[rows, lag_idx % season], target_length * index[rows, tgt_idx % season]

    def inputs(self, series: np.ndarray, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feature matrix (B, n_inputs) and the scale (B, horizon) that turns each target period into model
        units: the window's mean level, times the period's length and seasonal index when the transform adjusts
        for them."""
        lag_idx = origins[:, None] + np.arange(1 - self.n_lags, 1)[None, :]
        lag_factor, target_factor = self._adjustments(series, origins)
        lags = self.values[series[:, None], lag_idx] / lag_factor
        # Mean |lag| over the observed lags; a window with none observed (a series that stopped) gets scale 1.
        observed = np.isfinite(lags).sum(axis=1)
        scale = np.nansum(np.abs(lags), axis=1) / np.maximum(observed, 1)
        scale = np.where((observed > 0) & (scale > 0), scale, 1.0).astype(np.float32)
        scaled = lags / scale[:, None]
        # Short histories: treat missing lags as an average period rather than as zero demand.
        scaled = self.transform.forward(np.where(np.isfinite(scaled), scaled, 1.0))
        zero_share = (lags == 0).mean(axis=1, keepdims=True)
        tgt_idx = origins[:, None] + np.arange(1, self.horizon + 1)[None, :]
        cal = self.calendar[tgt_idx].reshape(len(origins), -1)
        span_idx = np.concatenate([lag_idx, tgt_idx], axis=1)
        exog = self.exog[:, series[:, None], span_idx]  # (channels, B, span)
        pp = exog[: len(PRICE_PROMO)].transpose(1, 0, 2).reshape(len(series), -1)
        sig = exog[len(PRICE_PROMO) :].transpose(1, 0, 2).reshape(len(series), -1)
        x = np.concatenate([scaled, zero_share, cal, pp, sig, self.exog_mask[series]], axis=1)
        return x.astype(np.float32), (scale[:, None] * target_factor).astype(np.float32)

    def targets(self, series: np.ndarray, origins: np.ndarray) -> np.ndarray:
        """Demand in the periods after each origin, in units."""
        idx = origins[:, None] + np.arange(1, self.horizon + 1)[None, :]
        return self.values[series[:, None], idx]

    def model_targets(self, series: np.ndarray, origins: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """The targets as the network sees them: divided by `scale` (B, horizon) from `inputs`, then transformed."""
        return self.transform.forward(self.targets(series, origins) / scale).astype(np.float32)

    def last_origins(self) -> tuple[np.ndarray, np.ndarray]:
        """Every series at the end of its history (the forecast origin for serving)."""
        n = self.values.shape[0]
        return np.arange(n, dtype=np.int64), np.full(n, self.n_periods - 1, dtype=np.int64)
