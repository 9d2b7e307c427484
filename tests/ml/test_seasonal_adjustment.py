"""Deseasonalised windows (ModelConfig.seasonal_window) and separately trained ensemble members."""

import numpy as np
import pandas as pd
import pytest
import torch

from ml_models.explain import explain
from ml_models.features import DemandPanel, WindowFeatures, seasonal_indices
from ml_models.model import ModelConfig
from ml_models.serving import forecast
from ml_models.training import TrainConfig, train
from ml_models.transforms import DemandTransform

from .conftest import seasonal_panel

FACTORS = 1 + 0.4 * np.sin(2 * np.pi * np.arange(12) / 12)
FACTORS = FACTORS / FACTORS.mean()


def growing_seasonal_panel(n_series: int = 4, months: int = 120) -> DemandPanel:
    """Level growing 1 % a month × a fixed multiplicative season: what classical decomposition recovers."""
    level = np.linspace(100, 400, n_series)[:, None] * 1.01 ** np.arange(months)
    values = level * FACTORS[np.arange(months) % 12]
    dates = pd.date_range("2010-01-01", periods=months, freq="MS")
    return DemandPanel([f"s{i}" for i in range(n_series)], dates, values.astype(np.float32), "M")


def test_indices_recover_a_multiplicative_season_under_a_trend():
    # given a window of six years of a growing seasonal series, starting at season position 5
    months = np.arange(5, 5 + 72)
    window = (200 * 1.01**months * FACTORS[months % 12])[None, :]

    # when
    index = seasonal_indices(window, (months % 12)[None, :], 12)

    # then: the true factors, up to the small bias of a moving average over a growing × seasonal product (< 1 %)
    np.testing.assert_allclose(index[0], FACTORS, rtol=1e-2)


def test_intermittent_or_unobserved_windows_are_left_unadjusted():
    # given one window with a zero period and one that starts with unobserved periods
    positions = np.tile(np.arange(36) % 12, (2, 1))
    zero = 10.0 + FACTORS[positions[0]]
    zero[7] = 0.0
    late = 10.0 * FACTORS[positions[1]]
    late[:3] = np.nan

    # when
    index = seasonal_indices(np.stack([zero, late]), positions, 12)

    # then: a ratio to a zero or unknown average means nothing, so both keep indices of one
    np.testing.assert_array_equal(index, np.ones((2, 12)))


def test_deseasonalised_targets_are_smooth_and_the_scale_carries_the_season():
    # given
    panel = growing_seasonal_panel()
    plain = WindowFeatures(panel, 36, 12)
    adjusted = WindowFeatures(panel, 36, 12, DemandTransform(seasonal_window=72))
    series, origins = np.array([0, 1, 2, 3]), np.array([80, 90, 100, 107])

    # when
    _, plain_scale = plain.inputs(series, origins)
    x, scale = adjusted.inputs(series, origins)
    targets = adjusted.model_targets(series, origins, scale)

    # then: the plain scale is flat over the horizon, the adjusted one follows the season
    assert np.ptp(plain_scale, axis=1).max() == 0
    assert np.ptp(scale / plain_scale, axis=1).min() > 0.5
    # and what the network must learn is a smooth 1 %-a-month trend, without the ±40 % season
    np.testing.assert_allclose(targets[:, 1:] / targets[:, :-1], 1.01, rtol=5e-3)
    np.testing.assert_allclose(x[:, 1:36] / x[:, :35], 1.01, rtol=5e-3)


def test_the_adjustment_is_causal():
    # given the same panel with everything after period 90 changed
    panel = growing_seasonal_panel()
    changed = growing_seasonal_panel()
    changed.values[:, 91:] *= 3.0
    transform = DemandTransform(seasonal_window=72)
    series, origins = np.array([0, 1]), np.array([90, 90])

    # when
    x, scale = WindowFeatures(panel, 36, 12, transform).inputs(series, origins)
    x2, scale2 = WindowFeatures(changed, 36, 12, transform).inputs(series, origins)

    # then: an origin's inputs and scale use nothing after it
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(scale, scale2)


@pytest.fixture(scope="module")
def seasonal_ensemble():
    panel = growing_seasonal_panel(n_series=6)
    config = ModelConfig.for_frequency("M", n_lags=24, hidden=16, dropout=0.0, members=2)
    history = panel.head(len(panel.dates) - 12)
    progress: list[tuple[int, str]] = []
    result = train(
        history, config, TrainConfig(max_epochs=6, samples_per_epoch=300, patience=6), lambda p, s: progress.append((p, s))
    )
    return panel, history, config, result, progress


def test_monthly_models_deseasonalise_by_default_and_forecast_the_season(seasonal_ensemble):
    # given
    panel, history, config, result, _ = seasonal_ensemble

    # when
    fc = forecast(result.model, history)

    # then: the default monthly model adjusts for the season, and its P50 keeps the season's shape
    assert config.seasonal_window == 72 and ModelConfig.for_frequency("D").seasonal_window == 0
    ratio = fc.median / panel.values[:, -12:]
    assert np.corrcoef(fc.median[0], FACTORS[np.arange(108, 120) % 12])[0, 1] > 0.9
    assert np.abs(ratio - 1).mean() < 0.2
    assert (np.diff(fc.values, axis=-1) >= 0).all()


def test_ensemble_members_are_trained_separately_from_their_own_seeds(seasonal_ensemble):
    # given
    _, history, _, result, progress = seasonal_ensemble

    # then: one result per member, different weights, and the forecast is their mean
    assert len(result.members) == 2 and result.model.config.members == 2
    first, second = (m.skip.weight for m in result.model.members)
    assert not torch.allclose(first, second)
    x, _ = WindowFeatures(history, 24, 12, result.model.config.transform).inputs(np.arange(6), np.full(6, 107))
    with torch.no_grad():
        outputs = result.model.member_outputs(torch.from_numpy(x))
        torch.testing.assert_close(result.model(torch.from_numpy(x)), outputs.mean(dim=0))
    # and progress runs once from 0 to 100 over both members
    percents = [p for p, _ in progress]
    assert percents == sorted(percents) and percents[-1] == 100 and max(p for p in percents[: len(percents) // 2]) <= 50


def test_explanations_add_up_for_a_deseasonalised_model(seasonal_ensemble):
    # given
    _, history, _, result, _ = seasonal_ensemble

    # when
    rows = explain(result.model, history, steps=64)

    # then: reference + contributions = the reseasonalised P50 total that is served
    served = forecast(result.model, history).median.sum(axis=1)
    for row, total in zip(rows, served, strict=True):
        assert row["p50_total"] == pytest.approx(total, rel=1e-4)
        assert row["reference_total"] + sum(row["contributions"].values()) == pytest.approx(total, rel=0.02)


def test_daily_models_are_unchanged_by_the_option():
    # given a daily panel and the default daily config
    panel = seasonal_panel(n_series=3, days=60)
    config = ModelConfig.for_frequency("D", n_lags=14, horizon=7)

    # when
    _, scale = WindowFeatures(panel, 14, 7, config.transform).inputs(np.arange(3), np.full(3, 40))

    # then: one scale per window, repeated over the horizon
    assert np.ptp(scale, axis=1).max() == 0


def test_members_can_still_be_trained_together():
    # given
    panel = growing_seasonal_panel(n_series=4).head(108)
    config = ModelConfig.for_frequency("M", n_lags=24, hidden=8, members=2, seasonal_window=0)

    # when
    result = train(panel, config, TrainConfig(max_epochs=2, samples_per_epoch=100, separate_members=False))

    # then: one training run for the whole ensemble (shared batches, one stopping epoch)
    assert result.members == [] and result.epochs_run == 2 and len(result.model.members) == 2


def test_monthly_demand_is_modelled_per_day_of_the_month():
    # given the same demand per day every day of 2023–2025 (so months differ only by their length)
    dates = pd.date_range("2023-01-01", periods=36, freq="MS")
    values = (10.0 * dates.days_in_month.to_numpy())[None, :].astype(np.float32)
    panel = DemandPanel(["steady"], dates, values, "M")
    per_day = WindowFeatures(panel, 12, 12, DemandTransform(per_day=True))
    per_month = WindowFeatures(panel, 12, 12)
    origin = np.array([23])  # December 2024: the targets are 2025, February has 28 days

    # when
    x, scale = per_day.inputs(np.array([0]), origin)
    x_month, _ = per_month.inputs(np.array([0]), origin)

    # then: the network sees a flat history and flat targets; the scale puts the months' lengths back
    np.testing.assert_allclose(x[0, :12], 1.0, rtol=1e-6)
    assert np.ptp(x_month[0, :12]) > 0.05  # February's dip, which is no demand change at all
    np.testing.assert_allclose(per_day.model_targets(np.array([0]), origin, scale), 1.0, rtol=1e-6)
    np.testing.assert_allclose(scale[0] / scale[0, 0], dates[24:].days_in_month / 31, rtol=1e-6)
    assert ModelConfig.for_frequency("M").per_day and not ModelConfig.for_frequency("D").per_day
