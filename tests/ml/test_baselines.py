"""The baselines every model is compared with behave as their textbook definitions."""

import numpy as np
import pytest

from ml_models.baselines import all_baselines, croston, ets, moving_average, seasonal_naive, tsb


def test_seasonal_naive_repeats_the_last_season():
    # given a weekly pattern
    history = np.array([[1, 2, 3, 4, 5, 6, 7, 10, 20, 30, 40, 50, 60, 70]], dtype=float)

    # when
    forecast = seasonal_naive(history, horizon=9, season=7)

    # then the last week repeats, wrapping after 7 days
    assert forecast.tolist() == [[10, 20, 30, 40, 50, 60, 70, 10, 20]]


def test_moving_average_is_flat_at_the_recent_mean():
    # given
    history = np.array([[100.0, 1.0, 2.0, 3.0]])

    # when / then
    assert moving_average(history, horizon=2, window=3).tolist() == [[2.0, 2.0]]


def test_croston_divides_smoothed_size_by_smoothed_interval():
    # given demand of 4 every second period
    y = np.array([0, 4, 0, 4, 0, 4, 0, 4], dtype=float)

    # when
    forecast = croston(y, horizon=3, alpha=0.1)

    # then size 4 over interval 2 = 2 per period, flat
    assert forecast == pytest.approx([2.0, 2.0, 2.0])


def test_tsb_decays_when_demand_stops_but_croston_does_not():
    # given an item that sold regularly and then stopped for a long time
    y = np.array([5, 0, 5, 0, 5, 0, 5] + [0] * 30, dtype=float)

    # when
    tsb_forecast = tsb(y, horizon=1, alpha=0.1, beta=0.1)[0]
    croston_forecast = croston(y, horizon=1, alpha=0.1)[0]

    # then TSB has learned the item is dying; Croston still forecasts ~ 5 / 2
    assert tsb_forecast < 0.2
    assert croston_forecast == pytest.approx(2.5)


def test_intermittent_baselines_forecast_zero_for_an_item_that_never_sold():
    # given / when / then
    assert croston(np.zeros(10), horizon=2).tolist() == [0.0, 0.0]
    assert tsb(np.zeros(10), horizon=2).tolist() == [0.0, 0.0]


def test_ets_follows_a_clean_multiplicative_seasonal_pattern():
    # given five years of a monthly series with growth and seasonality
    t = np.arange(60)
    y = 100 * (1.01**t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))

    # when
    forecast = ets(y[:48], horizon=12, season=12)

    # then it tracks the last year within a few percent
    assert np.abs(forecast - y[48:]).sum() / y[48:].sum() < 0.05


def test_all_baselines_share_one_shape_and_handle_late_starting_series():
    # given a series that starts late (leading NaNs)
    history = np.vstack([np.arange(1, 41, dtype=float), np.r_[np.full(20, np.nan), np.arange(1, 21, dtype=float)]])

    # when
    forecasts = all_baselines(history, horizon=5, season=7)

    # then
    assert set(forecasts) == {"seasonal_naive", "moving_average", "croston", "tsb", "ets", "theta", "damped", "comb"}
    for values in forecasts.values():
        assert values.shape == (2, 5)
        assert np.isfinite(values).all()
