"""Synthetic daily demand per vertical: weekly rhythm, Chinese festivals, promotions, weather, intermittency.

Used to pre-train the vertical base models (no tenant has data yet) and as tiny test data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_models.calendar import CALENDAR_COLUMNS, daily_calendar
from ml_models.features import DemandPanel
from ml_models.specs import DemandBaseSpec, VerticalProfile, demand_spec

__all__ = ["PROMOTION_SHARE", "VerticalProfile", "calendar_lift", "synthetic_panel"]


PROMOTION_SHARE = 0.05  # of days on which a promotion starts


def calendar_lift(profile: VerticalProfile, days: pd.DatetimeIndex) -> np.ndarray:
    """Each day's demand multiplier from the vertical's weekly rhythm and Chinese festivals (1 = an ordinary
    weekday); the real monthly series are spread over days with it too (ml_models.datasets)."""
    cal = daily_calendar(days)
    col = {name: cal[:, i] for i, name in enumerate(CALENDAR_COLUMNS)}
    weekly = np.where(col["is_weekend"] > 0, profile.weekend_lift, 1.0)
    festive = (
        np.where(col["is_holiday"] > 0, profile.holiday_lift, 1.0)
        * np.where(col["spring_festival_window"] > 0, profile.spring_festival_lift, 1.0)
        * np.where((col["shopping_618"] + col["shopping_double_11"]) > 0, profile.shopping_lift, 1.0)
    )
    return weekly * festive


def synthetic_panel(
    module: str | DemandBaseSpec | VerticalProfile,
    n_series: int,
    days: int,
    seed: int = 0,
    end: str = "2026-06-30",
    future_days: int = 28,
    with_signals: bool = True,
) -> DemandPanel:
    """Daily panel of `n_series` series ending on `end`, with price, promotion and weather channels
    that extend `future_days` past the history (planned promotions and a weather forecast).

    `module`: a module code (its declared demand spec), a DemandBaseSpec or a VerticalProfile."""
    profile = module if isinstance(module, VerticalProfile) else demand_spec(module).profile
    prefix = module if isinstance(module, str) else module.module if isinstance(module, DemandBaseSpec) else "synthetic"
    rng = np.random.default_rng(seed)
    dates = pd.date_range(end=end, periods=days, freq="D")
    total = days + future_days
    all_days = pd.date_range(dates[0], periods=total, freq="D")
    level = rng.lognormal(mean=2.5, sigma=1.0, size=(n_series, 1))
    trend = 1 + rng.normal(0, 0.15, size=(n_series, 1)) * np.linspace(0, 1, total)[None, :]
    annual = 1 + 0.15 * daily_calendar(all_days)[:, CALENDAR_COLUMNS.index("doy_sin")]
    promo = (rng.random((n_series, total)) < PROMOTION_SHARE).astype(np.float32)
    promo = np.maximum(promo, np.roll(promo, 1, axis=1))  # promotions last two days or more
    base_price = rng.uniform(5, 100, size=(n_series, 1))
    price = base_price * np.where(promo > 0, 0.85, 1.0)
    rain = np.clip(rng.beta(0.6, 1.6, size=(n_series, total)), 0, 1)
    temperature = (
        15
        + 12 * np.sin(2 * np.pi * (all_days.day_of_year.to_numpy() - 100) / 365.25)[None, :]
        + rng.normal(0, 3, (n_series, total))
    )
    mean = level * trend * calendar_lift(profile, all_days)[None, :] * annual[None, :]
    mean = mean * np.where(promo > 0, profile.promo_lift, 1.0) * (1 + profile.rain_effect * rain)
    demand = rng.poisson(mean).astype(np.float32)
    intermittent = rng.random(n_series) < min(1.0, profile.zero_share * 1.5)
    zeros = (rng.random((n_series, total)) < profile.zero_share) & intermittent[:, None]
    demand[zeros] = 0
    exog = {"price": price.astype(np.float32), "promo": promo}
    if with_signals:
        exog.update({"precipitation_prob": rain.astype(np.float32), "temperature": temperature.astype(np.float32)})
    keys = [f"{prefix}-{i:05d}" for i in range(n_series)]
    return DemandPanel(keys, dates, demand[:, :days], "D", exog)
