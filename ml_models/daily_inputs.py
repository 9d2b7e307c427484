"""Daily inputs every champion candidate reads: demand, opening, promotions, prices, holidays and demand classes.

One builder for training, backtest and serving, so the three never see different inputs. A candidate at a
cutoff `c` sees demand of days `[0, c)` and known-future channels of days `[0, c + horizon)`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml_models.features import DemandPanel

# Syntetos-Boylan-Croston cut-offs on the average inter-demand interval and the squared CV of demand sizes.
ADI_CUT, CV2_CUT = 1.32, 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "short")
SCALE_DAYS = 28


def _channel(panel: DemandPanel, name: str, total: int, default: float) -> np.ndarray:
    """A known-future channel padded to (N, total); NaN (unknown) and missing days take `default`."""
    out = np.full((len(panel.keys), total), default, dtype=np.float32)
    raw = panel.exog.get(name)
    if raw is not None:
        width = min(total, raw.shape[1])
        out[:, :width] = np.where(np.isfinite(raw[:, :width]), raw[:, :width], default)
    return out


def _price_ratio(panel: DemandPanel, total: int, history: int) -> np.ndarray:
    """Price relative to the series' mean positive history price, minus 1 (0 where unknown)."""
    price = np.full((len(panel.keys), total), np.nan, dtype=np.float32)
    raw = panel.exog.get("price")
    if raw is None:
        return np.zeros_like(price)
    width = min(total, raw.shape[1])
    price[:, :width] = raw[:, :width]
    positive = np.where(price[:, :history] > 0, price[:, :history], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = np.nanmean(positive, axis=1, keepdims=True)
    ratio = price / np.where(np.isfinite(ref) & (ref > 0), ref, np.nan) - 1.0
    return np.nan_to_num(np.clip(ratio, -0.9, 2.0), nan=0.0).astype(np.float32)


@dataclass
class DailyInputs:
    """`y` (N, T) demand with NaN unobserved; the other arrays cover T + horizon days."""

    y: np.ndarray
    open: np.ndarray
    promo: np.ndarray
    price: np.ndarray
    holiday: np.ndarray
    weekday: np.ndarray
    day_of_year: np.ndarray
    day_of_month: np.ndarray
    horizon: int
    filled: np.ndarray  # (N, T): closed or unobserved days after the start replaced causally (see _fill_closed)

    @classmethod
    def from_panel(cls, panel: DemandPanel, horizon: int) -> DailyInputs:
        if panel.freq != "D":
            raise ValueError("the champion works on daily panels")
        _n, t = panel.values.shape
        total = t + horizon
        axis = pd.date_range(panel.dates[0], periods=total, freq="D")
        y = panel.values.astype(np.float64)
        open_ = _channel(panel, "open", total, 1.0) > 0.5
        # A day with recorded demand was open, whatever the channel says.
        open_[:, :t] |= np.nan_to_num(y) > 0
        inputs = cls(
            y=y,
            open=open_,
            promo=np.clip(_channel(panel, "promo", total, 0.0), 0.0, 1.0),
            price=_price_ratio(panel, total, t),
            holiday=_channel(panel, "holiday", total, 0.0),
            weekday=np.asarray(axis.dayofweek, dtype=np.int64),
            day_of_year=np.asarray(axis.dayofyear, dtype=np.int64),
            day_of_month=np.asarray(axis.day, dtype=np.int64),
            horizon=horizon,
            filled=np.empty(0),
        )
        inputs.filled = _fill_closed(y, open_[:, :t])
        return inputs

    @property
    def n_series(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.y.shape[1])

    def observed_open(self, cutoff: int) -> np.ndarray:
        """(N, cutoff) True where demand was observed on an open day."""
        return np.isfinite(self.y[:, :cutoff]) & self.open[:, :cutoff]

    def scale(self, cutoff: int) -> np.ndarray:
        """Per-series level at a cutoff: mean open-day demand over the last 28 days (then 91, then all), ≥ a floor."""
        level = np.full(self.n_series, np.nan)
        for days in (SCALE_DAYS, 91, cutoff):
            lo = max(0, cutoff - days)
            mask = self.observed_open(cutoff)[:, lo:]
            total = np.where(mask, np.nan_to_num(self.y[:, lo:cutoff]), 0.0).sum(axis=1)
            count = mask.sum(axis=1)
            fresh = np.isnan(level) & (count > 0) & (total > 0)
            level[fresh] = total[fresh] / count[fresh]
        return np.where(np.isfinite(level), level, 1.0)

    def before_closure(self, series: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Open on `day` and closed the next day (shoppers stock up), for broadcastable series/day indices."""
        last = self.open.shape[1] - 1
        return self.open[series, day] & ~self.open[series, np.minimum(day + 1, last)] & (day < last)

    def future_open(self, cutoff: int) -> np.ndarray:
        """(N, horizon) open flags of the days after a cutoff."""
        return self.open[:, cutoff : cutoff + self.horizon]


def _fill_closed(y: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Demand with closed and unobserved days (after a series started) replaced by the same weekday a week
    earlier, or by the mean of the previous week's open days: statistical fits then see a series without
    closures, and no candidate learns a zero for a Sunday (closed days are forecast as zero separately)."""
    _n, t = y.shape
    usable = np.isfinite(y) & open_
    started = np.maximum.accumulate(np.isfinite(y), axis=1)
    out = np.where(usable, y, np.nan)
    for day in range(t):
        gap = started[:, day] & ~usable[:, day]
        if not gap.any():
            continue
        week = out[gap, max(0, day - 7) : day]
        prior = week[:, 0] if day >= 7 else np.full(int(gap.sum()), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(week, axis=1) if week.shape[1] else np.full(int(gap.sum()), np.nan)
        value = np.where(np.isfinite(prior), prior, mean)
        out[gap, day] = np.where(np.isfinite(value), value, 0.0)
    return out


def demand_classes(inputs: DailyInputs, cutoff: int, min_days: int, window: int = 364) -> list[str]:
    """Per series: "short" with fewer than `min_days` observed open days, else the Syntetos-Boylan class of its
    open days in the last `window` days (smooth, erratic, intermittent, lumpy)."""
    lo = max(0, cutoff - window)
    mask = inputs.observed_open(cutoff)
    days = mask.sum(axis=1)
    recent = mask[:, lo:]
    values = np.where(recent, np.nan_to_num(inputs.y[:, lo:cutoff]), 0.0)
    nonzero = (values > 0) & recent
    count = nonzero.sum(axis=1)
    adi = recent.sum(axis=1) / np.maximum(count, 1)
    sizes = np.where(nonzero, values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, std = np.nanmean(sizes, axis=1), np.nanstd(sizes, axis=1)
    cv2 = np.nan_to_num((std / np.where(mean > 0, mean, np.nan)) ** 2)
    out = []
    for i in range(inputs.n_series):
        if days[i] < min_days:
            out.append("short")
        elif adi[i] < ADI_CUT:
            out.append("smooth" if cv2[i] < CV2_CUT else "erratic")
        else:
            out.append("intermittent" if cv2[i] < CV2_CUT else "lumpy")
    return out
