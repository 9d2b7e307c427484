"""The learned combination with a chosen statistical member (ETS, Theta, damped trend or their `comb`)."""

import numpy as np
import pytest

from ml_models.baselines import statistical_forecasts
from ml_models.combination import MEMBERS, Combination, combined_forecast, fit_combination, select_combination
from ml_models.evaluation import evaluate_holdout
from ml_models.model import ModelConfig, build_model
from ml_models.serving import forecast

from .test_accuracy_levers import monthly_seasonal_panel


def _untrained():
    return build_model(ModelConfig.for_frequency("M", n_lags=24, hidden=16, members=1), seed=0)


@pytest.mark.parametrize("member", MEMBERS)
def test_the_weight_against_each_member_minimises_validation_wape(member):
    # given an untrained network and exactly seasonal series (every statistical member fits them well)
    panel = monthly_seasonal_panel()

    # when
    combination = fit_combination(_untrained(), panel, member=member)

    # then: the chosen weight is the grid's best on validation and the untrained network gets little of it
    assert combination.member == member
    assert combination.validation_wape[combination.network_weight] == min(combination.validation_wape.values())
    assert combination.network_weight <= 0.2


def test_the_combined_forecast_moves_the_network_median_toward_the_member():
    # given
    panel = monthly_seasonal_panel(noise=0.02)
    model = _untrained()
    network = forecast(model, panel).values.astype(float)
    theta = statistical_forecasts(panel.values, 12, panel.season)["theta"]

    # when: a quarter of the weight on the network
    combined = combined_forecast(model, panel, Combination(0.25, member="theta")).values

    # then: median = 0.25 · network + 0.75 · Theta (float32 output), the band keeps its spread
    np.testing.assert_allclose(combined[..., 1], np.maximum(0.25 * network[..., 1] + 0.75 * theta, 0), rtol=1e-5)
    np.testing.assert_allclose(combined[..., 2] - combined[..., 1], network[..., 2] - network[..., 1], rtol=1e-4, atol=1e-3)


def test_the_holdout_report_scores_each_member_combination_against_every_baseline():
    # given
    panel = monthly_seasonal_panel(noise=0.05)
    combinations = [Combination(0.0, member=m) for m in MEMBERS]

    # when
    report = evaluate_holdout(panel, {"model": _untrained()}, 12, combinations={"model": combinations})

    # then: with all the weight on a member the combination scores as that member's baseline
    for member in MEMBERS:
        assert report.methods[f"model+{member}"]["wape"] == pytest.approx(report.methods[member]["wape"])
        assert member in report.baseline_names and f"model+{member}" not in report.baseline_names


def test_an_unknown_member_is_refused():
    with pytest.raises(ValueError, match="unknown combination member"):
        Combination(0.5, member="arima")


def test_the_member_is_selected_by_its_validation_wape_alone():
    # given three fitted combinations with their validation scores
    ets = Combination(0.5, validation_wape={0.5: 0.030}, member="ets")
    theta = Combination(0.7, validation_wape={0.7: 0.028, 0.5: 0.001}, member="theta")
    comb = Combination(0.6, validation_wape={0.6: 0.029}, member="comb")

    # when / then: judged at each one's own chosen weight, not at any other grid point
    assert select_combination([ets, theta, comb]) is theta
    with pytest.raises(ValueError, match="no combinations"):
        select_combination([])
