"""The champion contract (ml_models.champion): shapes, closed days, selection rule, short histories, calibration
and nightly serving from the saved choice."""

from datetime import date

import numpy as np
import pytest
import torch

from ml_models.champion import (
    BASELINES,
    BUCKETS,
    QUANTILES,
    ChampionOptions,
    ChampionResult,
    _members,
    _weighted,
    fit_and_forecast,
    forecast_with,
)
from ml_models.daily_inputs import DailyInputs, demand_classes
from ml_models.features import DemandPanel
from ml_models.synthetic_daily import daily_retail_panel
from ml_models.tenant_net import NetConfig, TenantNet, _features, fit_net, net_state

HORIZON = 28
# A short network training keeps each selection to seconds; the selection rule is what is under test.
QUICK = ChampionOptions(network=NetConfig(epochs=6, samples_per_epoch=2048))


@pytest.fixture(scope="module")
def generated() -> DemandPanel:
    panel, _ = daily_retail_panel(n_stores=8, n_items=8, days=300, seed=3)
    return panel


@pytest.fixture(scope="module")
def champion(generated: DemandPanel) -> ChampionResult:
    return fit_and_forecast(generated, horizon=HORIZON, origins=3, seed=0, options=QUICK)


def test_result_shapes_and_start(generated: DemandPanel, champion: ChampionResult) -> None:
    n = len(generated.keys)
    assert champion.values.shape == (n, HORIZON, len(QUANTILES))
    assert champion.quantiles == QUANTILES
    assert champion.start == date(2026, 7, 1)  # the day after the history's last date (2026-06-30)
    assert len(champion.demand_class) == n
    assert set(champion.served) == set(champion.demand_class)
    assert np.isfinite(champion.values).all()
    assert (champion.values >= 0).all()
    # P10 ≤ P50 ≤ P90 everywhere.
    assert (np.diff(champion.values, axis=-1) >= 0).all()
    assert champion.metrics["wape_served"] > 0


def test_closed_days_are_zero_and_open_days_are_not(generated: DemandPanel, champion: ChampionResult) -> None:
    t = len(generated.dates)
    future_open = generated.exog["open"][:, t : t + HORIZON] > 0
    assert (champion.values[~future_open] == 0).all()
    stores = [i for i, k in enumerate(generated.keys) if k.startswith("store")]
    assert (champion.values[stores][future_open[stores]][:, 1] > 0).all()


def test_nothing_worse_than_the_best_baseline_is_served(champion: ChampionResult) -> None:
    for cls, served in champion.served.items():
        scores = champion.backtest[cls]
        best_baseline = min(v for k, v in scores.items() if k in BASELINES)
        assert scores[served] <= best_baseline
        assert scores[served] == min(scores.values())


def test_every_class_is_scored_on_three_origins_with_the_baselines(champion: ChampionResult) -> None:
    assert not [code for code, _ in champion.notes if code == "fewer_backtest_origins"]
    smooth = champion.backtest["smooth"]
    for name in ("seasonal_naive", "ets", "lightgbm", "network"):
        assert name in smooth


def test_coverage_is_calibrated_on_the_backtest(champion: ChampionResult) -> None:
    # Cross-conformal: each origin covered by bands fitted on the other two, so this is not 80 % by construction.
    assert 0.7 <= champion.coverage["smooth"] <= 0.9


def test_forecast_with_reproduces_the_selection(generated: DemandPanel, champion: ChampionResult) -> None:
    served = forecast_with(champion.saved, generated, horizon=HORIZON)
    assert served.served == champion.served
    assert served.demand_class == champion.demand_class
    np.testing.assert_allclose(served.values, champion.values, rtol=1e-5, atol=1e-4)


def test_forecast_with_serves_newer_data_and_new_series(generated: DemandPanel, champion: ChampionResult) -> None:
    t = len(generated.dates)
    shorter = generated.head(t - 7)  # serving a week earlier: fitted ETS models run forward from their start
    newer = DemandPanel(
        [*generated.keys, "new-store"],
        shorter.dates,
        np.vstack([shorter.values, shorter.values[:1] * 2]),
        "D",
        {k: np.vstack([v, v[:1]]) for k, v in generated.exog.items()},
    )
    served = forecast_with(champion.saved, newer, horizon=HORIZON)
    assert served.values.shape == (len(newer.keys), HORIZON, 3)
    assert served.start == date(2026, 6, 24)
    assert ("new_series_classified", {"series": 1}) in served.notes
    assert served.demand_class[-1] in champion.served
    assert served.values[-1, :, 1].sum() > served.values[0, :, 1].sum()


def test_short_history_falls_back_with_a_note() -> None:
    panel, _ = daily_retail_panel(n_stores=4, days=300, seed=5)
    values = panel.values.copy()
    values[:2, :-60] = np.nan  # two stores opened 60 days ago
    panel = DemandPanel(panel.keys, panel.dates, values, "D", panel.exog)
    result = fit_and_forecast(panel, horizon=HORIZON, origins=3, options=QUICK)
    assert result.demand_class[:2] == ["short", "short"]
    assert ("history_too_short", {"class": "short", "series": 2, "days": 4 * HORIZON}) in result.notes
    # the short class is served by a baseline (or an equal-weight mean of baselines), never a learner
    assert set(_members(result.served["short"])) <= set(BASELINES)
    assert "network" not in result.backtest["short"]  # no base network: nothing to learn a short history from
    assert (result.values[:2, :, 1] > 0).any()


def test_a_store_closed_on_sundays_gets_no_sunday_forecast() -> None:
    days = 280
    rng = np.random.default_rng(0)
    import pandas as pd

    dates = pd.date_range("2026-01-05", periods=days, freq="D")  # a Monday
    axis = pd.date_range(dates[0], periods=days + HORIZON, freq="D")
    open_ = (axis.dayofweek != 6).astype(np.float32)[None, :].repeat(3, axis=0)
    weekly = np.array([1.0, 1.0, 1.1, 1.2, 1.6, 2.0, 0.0])
    values = rng.poisson(100 * weekly[dates.dayofweek][None, :].repeat(3, axis=0)).astype(np.float32)
    panel = DemandPanel(["a", "b", "c"], dates, values, "D", {"open": open_})
    result = fit_and_forecast(panel, horizon=HORIZON, origins=3, options=QUICK)
    sundays = np.asarray(axis[days:].dayofweek == 6)
    assert (result.values[:, sundays] == 0).all()
    saturdays = np.asarray(axis[days:].dayofweek == 5)
    assert result.values[:, saturdays, 1].mean() > 1.5 * result.values[:, ~saturdays & ~sundays, 1].mean()


def test_demand_classes_follow_the_syntetos_boylan_cut_offs() -> None:
    import pandas as pd

    days = 200
    dates = pd.date_range("2026-01-01", periods=days, freq="D")
    smooth = np.full(days, 10.0)
    intermittent = np.where(np.arange(days) % 5 == 0, 3.0, 0.0)
    lumpy = np.where(np.arange(days) % 5 == 0, np.tile([1.0, 40.0], days)[:days], 0.0)
    erratic = np.tile([1.0, 30.0], days)[:days]
    panel = DemandPanel(["s", "i", "l", "e"], dates, np.vstack([smooth, intermittent, lumpy, erratic]), "D")
    inputs = DailyInputs.from_panel(panel, HORIZON)
    assert demand_classes(inputs, days, 112) == ["smooth", "intermittent", "lumpy", "erratic"]
    assert demand_classes(inputs, days, 500) == ["short"] * 4


def test_closed_days_do_not_enter_the_statistical_fits() -> None:
    import pandas as pd

    days = 56
    dates = pd.date_range("2026-01-05", periods=days, freq="D")
    values = np.where(dates.dayofweek == 6, 0.0, 50.0)[None, :]
    open_ = np.asarray(dates.append(pd.date_range(dates[-1], periods=HORIZON + 1)[1:]).dayofweek != 6, dtype=np.float32)[None, :]
    inputs = DailyInputs.from_panel(DemandPanel(["a"], dates, values, "D", {"open": open_}), HORIZON)
    # The filled series sees no zero Sunday: a closure is not a day without demand.
    assert (inputs.filled[0] == 50.0).all()


def test_the_network_starts_from_a_previous_tenant_network() -> None:
    from ml_models.champion import _base_network
    from ml_models.tenant_net import TenantNet, net_state

    previous = net_state(TenantNet(QUICK.network))
    notes: list = []
    state = _base_network(previous, QUICK, notes)
    assert state is not None and not notes
    assert _base_network(net_state(TenantNet(NetConfig(hidden=8))), QUICK, notes) is None  # another architecture
    assert _base_network(object(), QUICK, notes) is None
    assert notes == [("network_from_tenant_history", {})] * 2


def test_a_champion_that_cannot_run_is_replaced_by_the_best_stateless_baseline(
    generated: DemandPanel, champion: ChampionResult
) -> None:
    broken = {**champion.saved, "served": dict.fromkeys(champion.saved["served"], "lightgbm"), "lightgbm": None}
    served = forecast_with(broken, generated, horizon=HORIZON)
    for cls in champion.served:
        fallback = champion.saved["fallbacks"][cls]
        assert ("fallback_served", {"class": cls, "served": fallback}) in served.notes
        scores = champion.backtest[cls]
        assert scores[fallback] == min(
            v
            for k, v in scores.items()
            if k in {"seasonal_naive", "weekday_average", "window_average", "croston_sba", "tsb", "adida"}
        )
    assert (served.values >= 0).all()


def test_weighted_combinations_are_chosen_on_the_backtest(champion: ChampionResult) -> None:
    assert _weighted("combo:lightgbm*0.7+network*0.3") == [("lightgbm", 0.7), ("network", 0.3)]
    assert _weighted("combo:ets+network") == [("ets", 0.5), ("network", 0.5)]
    for scores in champion.backtest.values():
        singles = sorted((k for k in scores if not k.startswith("combo:")), key=scores.__getitem__)
        weighted = [k for k in scores if "*" in k]
        # One weighted mean per class, of the class's three best single candidates, weights in tenths summing to 1.
        assert len(weighted) <= 1
        for name in weighted:
            pairs = _weighted(name)
            assert {m for m, _ in pairs} <= set(singles[:3])
            assert abs(sum(w for _, w in pairs) - 1) < 1e-9
            assert all(abs(w * 10 - round(w * 10)) < 1e-9 for _, w in pairs)


def test_bands_are_calibrated_per_horizon_bucket(champion: ChampionResult) -> None:
    for offsets in champion.saved["offsets"].values():
        assert len(offsets) == len(BUCKETS)
        for low, mid, high in offsets:
            assert low <= mid <= high


def test_the_weekday_prior_ignores_a_promotion_run() -> None:
    import pandas as pd

    days = 120
    dates = pd.date_range("2026-01-05", periods=days, freq="D")
    values = np.full((1, days), 100.0, dtype=np.float32)
    promo = np.zeros((1, days + HORIZON), dtype=np.float32)
    promo[0, days - 14 : days - 7] = 0.4
    values[0, days - 14 : days - 7] = 400.0  # a week of promotion at 4× the usual demand
    panel = DemandPanel(["a"], dates, values, "D", {"promo": promo})
    inputs = DailyInputs.from_panel(panel, HORIZON)
    _context, day_features, _scale = _features(inputs, np.array([0]), np.array([days]))
    level = inputs.scale(days)[0]
    # Feature 11 is the prior in units of the level: the promoted week does not enter it.
    np.testing.assert_allclose(day_features[0, :, 11] * level, 100.0, rtol=1e-5)


def test_a_base_network_serves_short_histories_and_is_fine_tuned() -> None:
    panel, _ = daily_retail_panel(n_stores=4, days=90, seed=6)
    base = net_state(TenantNet(QUICK.network))
    cold = fit_and_forecast(panel, horizon=HORIZON, origins=3, options=QUICK)
    warm = fit_and_forecast(panel, horizon=HORIZON, origins=3, options=QUICK, base=base)
    assert set(cold.demand_class) == set(warm.demand_class) == {"short"}
    assert "network" not in cold.backtest["short"]
    assert "network" in warm.backtest["short"]  # the base as it is at the backtest origin (too early to tune)
    assert warm.network_state is not None or "network" not in _members(warm.served["short"])
    inputs = DailyInputs.from_panel(panel, HORIZON)
    rows = np.arange(4)
    # Too little history to fine-tune: the base unchanged; enough: fine-tuned away from it.
    untouched = fit_net(inputs, 60, rows, QUICK.network, initial=base["state_dict"])
    assert untouched is not None
    for name, tensor in untouched.state_dict().items():
        assert torch.equal(tensor, base["state_dict"][name])
    assert fit_net(inputs, 60, rows, QUICK.network) is None
    tuned = fit_net(inputs, 90, rows, QUICK.network, initial=base["state_dict"])
    assert tuned is not None
    assert any(not torch.equal(t, base["state_dict"][k]) for k, t in tuned.state_dict().items())


def test_a_history_long_enough_for_every_origin_trains_the_network_cold_and_two_origins_weigh_equally() -> None:
    panel, _ = daily_retail_panel(n_stores=4, days=120, seed=7)
    base = net_state(TenantNet(QUICK.network))
    result = fit_and_forecast(panel, horizon=HORIZON, origins=2, options=QUICK, base=base)
    # bench_forecast_warm: from 180 days the cold network won, so the base is used below all-origin histories only.
    assert ("network_cold_start", {"days": 120, "warm_below_days": 3 * HORIZON}) in result.notes
    assert "short" not in result.demand_class
    # Two origins are too few to choose weights on: only equal-weight combinations are scored.
    assert not [name for scores in result.backtest.values() for name in scores if "*" in name]


def test_a_vertical_base_network_is_trained_in_the_tenant_network_format_and_warm_starts_a_short_history() -> None:
    from ml_models.base_models import train_base_network
    from ml_models.specs import DemandBaseSpec, RealSource, VerticalProfile

    profile = VerticalProfile(
        weekend_lift=1.3,
        holiday_lift=1.2,
        spring_festival_lift=0.8,
        shopping_lift=1.1,
        promo_lift=1.5,
        rain_effect=-0.1,
        zero_share=0.3,
    )
    spec = DemandBaseSpec("shop", RealSource("aus_retail", ("Food retailing",), 40.0), profile)
    base = train_base_network(spec, n_series=5, days=200, config=NetConfig(epochs=1, samples_per_epoch=256))
    assert base.module == "shop" and base.series > 5 and base.days == 200
    panel, _ = daily_retail_panel(n_stores=3, days=90, seed=8)
    result = fit_and_forecast(panel, horizon=HORIZON, origins=3, options=QUICK, base=base)
    assert "network" in result.backtest["short"]
    assert not [code for code, _ in result.notes if code == "network_from_tenant_history"]
