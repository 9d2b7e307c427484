"""Theta, damped trend and their `comb` with ETS: the M3/M4 benchmarks added to the baselines."""

import numpy as np
import pytest

from ml_models.baselines import (
    FIT_WINDOW,
    all_baselines,
    damped_trend,
    is_seasonal,
    seasonal_indices,
    statistical_forecasts,
    theta,
)


def _seasonal_series(months: int = 72) -> np.ndarray:
    t = np.arange(months)
    return (100 + t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))


def test_theta_extrapolates_a_linear_trend_at_half_its_slope_from_the_last_value():
    # given a straight line rising 2 a month, last value 128
    y = 10 + 2 * np.arange(60, dtype=float)

    # when
    forecast = theta(y, horizon=6, season=12)

    # then: SES sits at the last value and the theta drift adds half the slope a month (the method's definition)
    assert forecast[0] == pytest.approx(129.0, abs=0.1)
    np.testing.assert_allclose(np.diff(forecast), 1.0, atol=1e-9)


def test_theta_keeps_the_season_of_a_multiplicative_seasonal_series():
    # given a growing level × a ±30 % yearly wave
    y = _seasonal_series(72)
    future = _seasonal_series(84)[72:]

    # when
    forecast = theta(y, horizon=12, season=12)

    # then: the wave is kept (peak and trough months match) and the year is forecast within 3 %
    assert np.argmax(forecast) == np.argmax(future) and np.argmin(forecast) == np.argmin(future)
    assert np.abs(forecast - future).sum() / future.sum() < 0.03


def test_seasonal_indices_recover_a_pure_multiplicative_season():
    # given a flat level × a known season, starting at position 0
    pattern = 1 + 0.2 * np.cos(2 * np.pi * np.arange(12) / 12)
    y = 50 * np.tile(pattern, 6)

    # when / then
    np.testing.assert_allclose(seasonal_indices(y, 12), pattern / pattern.mean(), rtol=1e-9)


def test_the_seasonality_test_accepts_a_wave_and_mostly_rejects_noise():
    rng = np.random.default_rng(0)
    assert is_seasonal(_seasonal_series(72), 12)
    # A 90 % limit: about one white-noise series in ten is flagged seasonal, not more.
    flagged = np.mean([is_seasonal(100 + rng.standard_normal(72), 12) for _ in range(300)])
    assert flagged < 0.2


def test_damped_trend_flattens_out_where_theta_keeps_climbing():
    # given a straight line
    y = 10 + 2 * np.arange(60, dtype=float)

    # when
    forecast = damped_trend(y, horizon=24, season=12)

    # then: it rises, but each step is no larger than the last (a damped trend)
    steps = np.diff(forecast)
    assert (steps > 0).all() and (np.diff(steps) <= 1e-9).all()


def test_series_with_zeros_are_not_seasonally_adjusted_and_stay_non_negative():
    # given an intermittent series (a ratio to a moving average is undefined where the average is 0)
    y = np.tile([0.0, 0.0, 5.0, 0.0, 1.0, 0.0], 8)

    # when / then
    for method in (theta, damped_trend):
        forecast = method(y, horizon=12, season=12)
        assert np.isfinite(forecast).all() and (forecast >= 0).all()


def test_comb_is_the_equal_weight_mean_and_every_member_is_a_baseline():
    # given two seasonal series, one starting late
    history = np.vstack([_seasonal_series(60), np.r_[np.full(12, np.nan), _seasonal_series(48)]])

    # when
    members = statistical_forecasts(history, horizon=12, season=12)
    baselines = all_baselines(history, horizon=12, season=12)

    # then
    np.testing.assert_allclose(members["comb"], (members["ets"] + members["theta"] + members["damped"]) / 3)
    assert {"ets", "theta", "damped", "comb"} <= set(baselines)
    for name in members:
        np.testing.assert_allclose(baselines[name], members[name])


def test_theta_and_damped_trend_ignore_history_older_than_the_fit_window():
    # given a recent decade, and the same decade after 20 years of a different regime
    recent = _seasonal_series(FIT_WINDOW)
    longer = np.r_[np.full(240, 5000.0), recent]

    # when / then: the old regime changes nothing
    for method in (theta, damped_trend):
        np.testing.assert_allclose(method(longer, 12, 12), method(recent, 12, 12))
