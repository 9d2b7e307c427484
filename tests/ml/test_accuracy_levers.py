"""The accuracy levers: log-scale transform, member ensemble, volume-weighted loss, recent origins, the learned
combination with ETS, and quantile coverage."""

import numpy as np
import pandas as pd
import pytest
import torch

from ml_models import tracking
from ml_models.combination import WIDTH_GRID, Combination, _best_width, combine, combined_forecast, fit_combination
from ml_models.evaluation import evaluate_holdout
from ml_models.features import DemandPanel, WindowFeatures
from ml_models.losses import pinball_loss
from ml_models.metrics import coverage
from ml_models.model import DemandNet, ModelConfig, QuantileMLP, build_model
from ml_models.serving import forecast
from ml_models.training import TrainConfig, train
from ml_models.transforms import DemandTransform

from .conftest import SMALL, seasonal_panel


def monthly_seasonal_panel(n_series: int = 6, months: int = 96, noise: float = 0.0, seed: int = 0) -> DemandPanel:
    """Multiplicative season × growing level: what ETS on the log scale fits almost exactly."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(months) / 12)
    level = rng.uniform(50, 500, size=(n_series, 1)) * 1.004 ** np.arange(months)
    values = level * season * (1 + noise * rng.standard_normal((n_series, months)))
    dates = pd.date_range("2010-01-01", periods=months, freq="MS")
    return DemandPanel([f"s{i}" for i in range(n_series)], dates, values.astype(np.float32), "M")


@pytest.mark.parametrize("log_space", [False, True])
def test_transform_round_trip_keeps_demand_and_quantile_order(log_space):
    # given scaled demand with zeros (intermittent) and large values
    transform = DemandTransform(log_space=log_space)
    scaled = np.array([[0.0, 0.05, 1.0, 3.5, 40.0]])

    # when
    back = transform.inverse(transform.forward(scaled))

    # then: the round trip is exact and monotone; torch's inverse agrees with numpy's
    np.testing.assert_allclose(back, scaled, rtol=1e-6, atol=1e-9)
    assert (np.diff(transform.forward(scaled)) > 0).all()
    z = torch.tensor(transform.forward(scaled), dtype=torch.float64)
    np.testing.assert_allclose(transform.inverse_torch(z).numpy(), scaled, rtol=1e-6, atol=1e-9)


def test_log_space_features_and_targets_are_logs_of_the_scaled_values():
    # given
    panel = seasonal_panel(n_series=3, days=60)
    linear = WindowFeatures(panel, 14, 7)
    logged = WindowFeatures(panel, 14, 7, DemandTransform(log_space=True))
    series, origins = np.array([0, 1, 2]), np.array([20, 30, 40])

    # when
    x_lin, scale = linear.inputs(series, origins)
    x_log, scale_log = logged.inputs(series, origins)

    # then
    np.testing.assert_allclose(scale, scale_log)
    np.testing.assert_allclose(x_log[:, :14], np.log(x_lin[:, :14] + 0.1), rtol=1e-5)
    np.testing.assert_allclose(
        logged.model_targets(series, origins, scale), np.log(linear.targets(series, origins) / scale + 0.1), rtol=1e-5
    )


def test_a_log_space_model_trains_and_forecasts_nonnegative_monotone_quantiles():
    # given a log-space model
    panel = seasonal_panel(n_series=6, days=120)
    config = ModelConfig.for_frequency("D", n_lags=14, horizon=7, hidden=32, dropout=0.0, log_space=True)

    # when
    result = train(panel, config, TrainConfig(max_epochs=3, samples_per_epoch=500, batch_size=128))
    fc = forecast(result.model, panel)

    # then
    assert (fc.values >= 0).all() and (np.diff(fc.values, axis=-1) >= 0).all()
    assert 0.3 < fc.median.mean() / np.nanmean(panel.values) < 3


def test_ensemble_forecast_is_the_mean_of_its_members_and_never_crosses():
    # given a three-member model
    model = build_model(ModelConfig.for_frequency("D", n_lags=14, horizon=7, hidden=16, members=3), seed=2).eval()
    x = torch.randn(64, model.config.layout.n_inputs) * 5

    # when
    members = model.member_outputs(x)
    out = model(x)

    # then
    assert members.shape == (3, 64, 7, 3)
    assert not torch.allclose(members[0], members[1])  # independently initialised
    torch.testing.assert_close(out, members.mean(dim=0))
    assert (out[..., 1:] >= out[..., :-1]).all()


def test_a_model_saved_before_members_existed_still_loads():
    # given the state of a single network and a config dict without the new keys
    legacy = QuantileMLP(SMALL)
    old_config = {k: v for k, v in SMALL.to_dict().items() if k not in ("members", "log_space")}

    # when
    config = ModelConfig.from_dict(old_config)
    model = DemandNet(config)
    model.load_state_dict(legacy.state_dict())

    # then it is the old network, on the linear scale
    assert config.members == 1 and config.log_space is False
    x = torch.randn(4, config.layout.n_inputs)
    torch.testing.assert_close(model.eval()(x), legacy.eval()(x))


def test_volume_weighted_pinball_weighs_samples():
    # given two samples, the second ten times the weight
    pred = torch.zeros(2, 1, 1)
    target = torch.tensor([[1.0], [3.0]])
    q = torch.tensor([0.5])

    # when
    plain = pinball_loss(pred, target, q)
    weighted = pinball_loss(pred, target, q, torch.tensor([1.0, 10.0]))

    # then: 0.5·1 and 0.5·3 → mean 1.0; weighted (0.5 + 10·1.5) / 11
    assert float(plain) == pytest.approx(1.0)
    assert float(weighted) == pytest.approx((0.5 + 15.0) / 11)


def test_recent_origins_limit_the_training_windows():
    # given
    panel = seasonal_panel(n_series=4, days=150)
    config = ModelConfig.for_frequency("D", n_lags=14, horizon=7, hidden=16)

    # when
    everything = train(panel, config, TrainConfig(max_epochs=1, samples_per_epoch=200))
    recent = train(panel, config, TrainConfig(max_epochs=1, samples_per_epoch=200, recent_origins=30))

    # then: 30 origins × 4 series, fewer than all of them; validation unchanged
    assert recent.n_train_samples == 4 * 30 < everything.n_train_samples
    assert recent.n_val_samples == everything.n_val_samples


def test_combination_weight_is_chosen_on_validation_and_leans_to_ets_when_the_network_is_untrained():
    # given an untrained network and exactly seasonal series (ETS fits them almost perfectly)
    panel = monthly_seasonal_panel()
    config = ModelConfig.for_frequency("M", n_lags=24, hidden=16, members=1)
    model = build_model(config, seed=0)

    # when
    combination = fit_combination(model, panel)

    # then: the weight minimises validation WAPE over the grid, and an untrained network gets little of it
    assert combination.validation_wape[combination.network_weight] == min(combination.validation_wape.values())
    assert combination.network_weight <= 0.2
    fc = combined_forecast(model, panel, combination)
    assert fc.values.shape == (6, 12, 3) and (np.diff(fc.values, axis=-1) >= 0).all()


def test_band_widths_scale_each_side_of_the_median():
    # given a band 8/10/13
    network = np.array([[[8.0, 10.0, 13.0]]])

    # when: the lower half halved, the upper half doubled, no ETS weight
    both = combine(network, np.array([[99.0]]), 1.0, median_index=1, lower_width=0.5, upper_width=2.0)

    # then
    np.testing.assert_allclose(both, [[[9.0, 10.0, 16.0]]])


def test_band_widths_fitted_on_validation_lie_on_the_grid_and_keep_the_band_ordered():
    # given an untrained network made 'perfect' in the median (all ETS) and noisy but exactly seasonal series
    panel = monthly_seasonal_panel(noise=0.02, seed=3)
    model = build_model(ModelConfig.for_frequency("M", n_lags=24, hidden=16, members=1), seed=0)

    # when
    by_pinball = fit_combination(model, panel, criterion="pinball")
    by_coverage = fit_combination(model, panel, criterion="coverage")
    by_default = fit_combination(model, panel)

    # then: factors on the grid, the combined band stays ordered; by default the network's band is kept
    assert by_default.lower_width == by_default.upper_width == 1.0
    assert by_pinball.network_weight == by_coverage.network_weight == by_default.network_weight
    combination = by_coverage
    assert 0.4 <= combination.lower_width <= 1.6 and 0.4 <= combination.upper_width <= 1.6
    fc = combined_forecast(model, panel, combination)
    assert (np.diff(fc.values, axis=-1) >= 0).all()


def test_combine_moves_the_band_without_changing_its_spread():
    # given a band 8/10/13 and a statistical forecast of 20
    network = np.array([[[8.0, 10.0, 13.0]]])
    statistical = np.array([[20.0]])

    # when
    both = combine(network, statistical, 0.25, median_index=1)

    # then: median 0.25·10 + 0.75·20 = 17.5, same distances to P10 and P90
    np.testing.assert_allclose(both, [[[15.5, 17.5, 20.5]]])
    assert combine(network, statistical, 1.0, 1).tolist() == network.tolist()


def test_holdout_report_scores_the_combination_and_quantile_coverage():
    # given
    panel = monthly_seasonal_panel(noise=0.05)
    config = ModelConfig.for_frequency("M", n_lags=24, hidden=16, members=1)
    model = build_model(config, seed=0)

    # when
    report = evaluate_holdout(panel, {"model": model}, 12, combinations={"model": Combination(0.0)})

    # then: with all weight on ETS the combined median is the ETS forecast
    assert report.methods["model+ets"]["wape"] == pytest.approx(report.methods["ets"]["wape"])
    assert 0 <= report.methods["model"]["coverage_p10"] <= report.methods["model"]["coverage_p90"] <= 1
    assert "model+ets" not in report.baseline_names


def test_coverage_counts_actuals_at_or_below_the_quantile():
    assert coverage(np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 2.0, 2.0, 0.0])) == pytest.approx(2 / 3)


def test_combination_of_weight_one_is_the_network_forecast():
    # given
    panel = monthly_seasonal_panel()
    model = build_model(ModelConfig.for_frequency("M", n_lags=24, hidden=16, members=1), seed=0)

    # when / then
    np.testing.assert_allclose(combined_forecast(model, panel, Combination(1.0)).values, forecast(model, panel).values)


def test_an_ensemble_is_logged_registered_and_loaded_back_with_the_same_forecasts(mlflow_store):
    # given a three-member, log-space model
    panel = seasonal_panel(n_series=4, days=80)
    config = ModelConfig.for_frequency("D", n_lags=14, horizon=7, hidden=16, members=3, log_space=True)
    model = build_model(config, seed=4).eval()

    # when
    logged = tracking.log_training_run(model, "alpha.ensemble.demand", {"wape": 0.3}, **mlflow_store)
    loaded = tracking.load_version("alpha.ensemble.demand", logged.version, mlflow_store["tracking_uri"])

    # then
    assert loaded.model.config == config
    np.testing.assert_allclose(forecast(loaded.model, panel).values, forecast(model, panel).values, rtol=1e-6)


def test_a_too_wide_lower_half_is_narrowed_and_a_too_narrow_upper_half_widened():
    # given actuals around 10 (σ 1) and a band of P10 = 0 (far too low) and P90 = 10.1 (far too close)
    rng = np.random.default_rng(0)
    actual = 10 + rng.standard_normal((50, 12))
    band = np.stack([np.zeros_like(actual), np.full_like(actual, 10.0), np.full_like(actual, 10.1)], axis=-1)

    # when
    lower = _best_width(actual, band, (0.1, 0.5, 0.9), slice(0, 1), 1)
    upper = _best_width(actual, band, (0.1, 0.5, 0.9), slice(2, None), 1)

    # then: the calibrated sides would be 1.28 wide, so the factors go to the ends of the grid
    assert lower == min(WIDTH_GRID) and upper == max(WIDTH_GRID)
