"""A documented daily demand generator for benchmarks and tests: stores and items with closures and promotions.

Two kinds of series on one daily calendar, each with the known-future channels of a tenant panel
(`open`, `promo`, `price`, `holiday`) reaching `horizon` days past the history:

- **stores** (smooth): store-level daily sales. Every store has its own weekly profile (a random peak day and
  depth, drawn per store, not shared), a yearly swing (peak month drawn per store), a level that follows a
  slow random walk with one trend break (a step of −30 %…+40 % and a slope change at a random day), log-normal
  day noise (σ 0.08–0.2), promotions (≈ 6 % of days in 3–10-day runs, lift 1 + 1.5 × depth, depth 0.1–0.4,
  with the price cut by the depth) and closures: `sunday_closed` of the stores close every Sunday, every store
  closes on the public holidays (≈ 12 days a year drawn once for the region; holiday eves lift demand by 30 %).
  A closed day sells 0 and has open = 0.
- **items** (intermittent): item-level daily sales in one store. A demand occurs on an open day with
  probability p (0.05–0.45 per item), sizes are 1 + Poisson(μ) (μ 0.3–3) times the promotion lift; items share
  the store's closures and their own weekly profile (milder than a store's).

Everything is drawn from `seed`, so two seeds give two different, equally plausible panels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_models.features import DemandPanel


def _holidays(dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """≈ 12 fixed public holidays a year (same month/day every year), as a 0/1 vector over `dates`."""
    picks = {(int(m), int(d)) for m, d in zip(rng.integers(1, 13, 12), rng.integers(1, 29, 12), strict=True)}
    return np.array([(day.month, day.day) in picks for day in dates], dtype=np.float32)


def _promotions(n: int, total: int, rng: np.random.Generator, share: float = 0.06) -> np.ndarray:
    """Promotion depth (0 or 0.1–0.4) per series and day, in runs of 3–10 days."""
    promo = np.zeros((n, total), dtype=np.float32)
    runs = max(1, int(total * share / 6))
    for i in range(n):
        for start in rng.integers(0, total, runs):
            promo[i, start : start + int(rng.integers(3, 11))] = rng.uniform(0.1, 0.4)
    return promo


def daily_retail_panel(
    n_stores: int = 20,
    n_items: int = 0,
    days: int = 730,
    horizon: int = 28,
    seed: int = 0,
    sunday_closed: float = 0.6,
    end: str = "2026-06-30",
) -> tuple[DemandPanel, np.ndarray]:
    """`n_stores` smooth store series, then `n_items` intermittent item series (see the module docstring).

    The panel holds `days` days of history ending `end`; its known-future channels reach `horizon` days further.
    Also returns the demand of those `horizon` future days (N, horizon).
    """
    rng = np.random.default_rng(seed)
    total = days + horizon
    dates = pd.date_range(end=end, periods=days, freq="D")
    axis = pd.date_range(dates[0], periods=total, freq="D")
    weekday = axis.dayofweek.to_numpy()
    day_of_year = axis.dayofyear.to_numpy()
    holiday = np.broadcast_to(_holidays(axis, rng), (n_stores + n_items, total)).copy()
    eve = np.roll(holiday[0], -1) * (1 - holiday[0])
    n = n_stores + n_items
    closes_sunday = rng.random(n) < sunday_closed
    open_ = np.ones((n, total), dtype=np.float32)
    open_[closes_sunday[:, None] & (weekday[None, :] == 6)] = 0.0
    open_[holiday > 0] = 0.0
    promo = _promotions(n, total, rng)
    base_price = rng.uniform(5, 50, size=(n, 1)).astype(np.float32)
    price = (base_price * (1 - promo)).astype(np.float32)
    # Store-specific weekly profile: a peak day with its own depth, the other days scattered around 1.
    weekly = rng.uniform(0.75, 1.1, size=(n, 7))
    peak = rng.integers(0, 7, n)
    weekly[np.arange(n), peak] *= rng.uniform(1.2, 1.9, n)
    weekly[n_stores:] = 1 + (weekly[n_stores:] - 1) * 0.4
    yearly = 1 + rng.uniform(0.05, 0.3, (n, 1)) * np.cos(
        2 * np.pi * (day_of_year[None, :] - rng.integers(0, 365, (n, 1))) / 365.25
    )
    # Level: slow random walk with one break (a step and a slope change).
    walk = np.cumsum(rng.normal(0, 0.004, (n, total)), axis=1)
    brk = rng.integers(total // 4, total - horizon, n)
    after = np.arange(total)[None, :] >= brk[:, None]
    step = rng.uniform(-0.3, 0.4, (n, 1))
    slope = rng.normal(0, 0.0006, (n, 1)) * (np.arange(total)[None, :] - brk[:, None])
    level = np.exp(walk + after * (np.log1p(step) + slope))
    lift = (1 + 1.5 * promo) * (1 + 0.3 * eve[None, :])
    mean = level * weekly[np.arange(n)[:, None], weekday[None, :]] * yearly * lift
    values = np.zeros((n, total), dtype=np.float32)
    scale = rng.uniform(200, 3000, (n_stores, 1))
    noise = rng.uniform(0.08, 0.2, (n_stores, 1))
    values[:n_stores] = scale * mean[:n_stores] * np.exp(rng.normal(0, 1, (n_stores, total)) * noise - noise**2 / 2)
    if n_items:
        p = rng.uniform(0.05, 0.45, (n_items, 1))
        mu = rng.uniform(0.3, 3.0, (n_items, 1))
        occurs = rng.random((n_items, total)) < np.clip(p * mean[n_stores:], 0, 1)
        values[n_stores:] = occurs * (1 + rng.poisson(mu * mean[n_stores:]))
    values = np.round(values * open_).astype(np.float32)
    keys = [f"store-{i:03d}" for i in range(n_stores)] + [f"item-{i:03d}" for i in range(n_items)]
    exog = {"open": open_, "promo": promo, "price": price, "holiday": holiday.astype(np.float32)}
    return DemandPanel(keys, dates, values[:, :days], "D", exog), values[:, days:]


__all__ = ["daily_retail_panel"]
