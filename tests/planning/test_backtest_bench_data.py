"""The backtest benchmark's monthly → daily conversion and its model-driven daily bands (tests/bench/bench_backtest.py)."""

import numpy as np
import pandas as pd
import pytest

from tests.bench.bench_backtest import REPLAY_MONTHS, RETAIL_WEEKDAYS, Series, model_forecast_fn, monthly_to_daily


def test_monthly_units_are_spread_over_days_keeping_each_months_total_and_the_seed():
    # given
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    units = np.array([310.0, 0.0, 93.0])

    # when
    daily = monthly_to_daily(months, units, RETAIL_WEEKDAYS, seed=3)

    # then: 31 + 29 + 31 days, every month's total kept, a zero month stays zero, same seed same days
    assert len(daily) == 91
    assert [sum(daily[:31]), sum(daily[31:60]), sum(daily[60:])] == [310, 0, 93]
    assert all(day == int(day) >= 0 for day in daily)
    assert daily == monthly_to_daily(months, units, RETAIL_WEEKDAYS, seed=3)


def test_model_bands_follow_the_forecast_made_at_the_last_month_end():
    # given: one series, a 3-month training window and 12 replayed months; the forecast made before replayed
    # month k says 31·(k+1) units for every month ahead, P10/P90 ± 10 %
    months = pd.date_range("2023-10-01", periods=3 + REPLAY_MONTHS, freq="MS")
    uniform = (1.0,) * 7
    series = Series("s", 0, [0.0] * sum(pd.Period(m, "M").days_in_month for m in months), 92, months, 1.0, uniform)
    rolling = [np.tile([[[0.9, 1.0, 1.1]]], (1, 12, 1)) * 31 * (k + 1) for k in range(REPLAY_MONTHS)]
    bands = model_forecast_fn(series, rolling)

    # when: planning from the first replayed day (January, 31 days), and from the first day of February
    january = bands([0.0] * 92)
    february = bands([0.0] * (92 + 31))
    month_end = bands([0.0] * (92 + 28))  # plans Jan 29 … Feb 2 with the forecast made end of December

    # then: January's forecast (made end of December) gives 31/31 a day; February's (made end of January) 62/29
    assert len(january) == 5
    assert january[0][1] == pytest.approx(1.0)
    assert february[0][1] == pytest.approx(62 / 29)
    assert [round(band[1], 4) for band in month_end] == [1.0, 1.0, 1.0, round(31 / 29, 4), round(31 / 29, 4)]
    p10, p50, p90 = february[0]
    assert p10 < p50 < p90 and p90 - p50 == pytest.approx(p50 - p10)
