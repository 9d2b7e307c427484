"""Accuracy figures shown to the strategist: pinball loss, WAPE, MASE and bias on hand-computed cases."""

import numpy as np
import pytest
import torch

from ml_models.losses import pinball_loss
from ml_models.metrics import bias, mase, pinball, wape


def test_pinball_loss_weights_under_and_over_forecasts_by_the_quantile():
    # given actual 10, forecasts 8 (under by 2) and 13 (over by 3) at q = 0.9
    target = torch.tensor([10.0, 10.0])
    pred = torch.tensor([[8.0], [13.0]])

    # when
    loss = pinball_loss(pred, target, torch.tensor([0.9]))

    # then under-forecast costs 0.9 × 2 = 1.8, over-forecast 0.1 × 3 = 0.3; mean 1.05
    assert loss.item() == pytest.approx(1.05)
    assert pinball(np.array([10.0, 10.0]), np.array([[8.0], [13.0]]), (0.9,)) == pytest.approx(1.05)


def test_pinball_loss_averages_over_quantiles():
    # given one actual and a P10/P50/P90 forecast
    actual = np.array([100.0])
    quantiles = np.array([[80.0, 100.0, 130.0]])

    # when
    loss = pinball(actual, quantiles, (0.1, 0.5, 0.9))

    # then (0.1 × 20 + 0 + 0.1 × 30) / 3
    assert loss == pytest.approx(5.0 / 3)


def test_wape_and_bias_on_a_hand_computed_example():
    # given
    actual = np.array([[10.0, 0.0, 30.0]])
    forecast = np.array([[12.0, 1.0, 24.0]])

    # when / then: Σ|e| = 2 + 1 + 6 = 9 over Σ|y| = 40; Σ(ŷ − y) = −3
    assert wape(actual, forecast) == pytest.approx(9 / 40)
    assert bias(actual, forecast) == pytest.approx(-3 / 40)


def test_mase_scales_by_the_in_sample_seasonal_naive_error():
    # given a season-2 history whose seasonal naive in-sample errors are |3−1| = 2 and |4−2| = 2
    history = np.array([[1.0, 2.0, 3.0, 4.0]])
    actual = np.array([[5.0, 6.0]])
    forecast = np.array([[4.0, 8.0]])

    # when
    value = mase(actual, forecast, history, season=2)

    # then MAE 1.5 / scale 2
    assert value == pytest.approx(0.75)


def test_mase_skips_series_whose_history_never_changes():
    # given one flat series (no scale) and one normal series
    history = np.array([[5.0, 5.0, 5.0, 5.0], [1.0, 2.0, 3.0, 4.0]])
    actual = np.array([[5.0, 5.0], [5.0, 6.0]])
    forecast = np.array([[6.0, 6.0], [4.0, 8.0]])

    # when / then only the second series counts
    assert mase(actual, forecast, history, season=2) == pytest.approx(0.75)
