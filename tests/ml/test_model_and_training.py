"""The quantile model: monotone quantiles, early stopping, beating the naive forecast, fine-tuning progress."""

import numpy as np
import torch

from ml_models.evaluation import evaluate_holdout
from ml_models.model import build_model
from ml_models.serving import forecast
from ml_models.training import fine_tune

from .conftest import SMALL, seasonal_panel


def test_quantiles_never_cross_whatever_the_input():
    # given an untrained network and wild inputs
    model = build_model(SMALL, seed=1)
    x = torch.randn(500, SMALL.layout.n_inputs) * 10

    # when
    out = model(x)

    # then P10 ≤ P50 ≤ P90 everywhere
    assert out.shape == (500, SMALL.horizon, 3)
    assert (out[..., 1:] >= out[..., :-1]).all()


def test_training_stops_early_and_beats_seasonal_naive_on_the_holdout(trained_small):
    # given a model trained with early stopping on all but the last week
    panel, result = trained_small

    # when
    report = evaluate_holdout(panel, {"model": result.model}, horizon=7)

    # then
    assert result.stopped_early
    assert result.epochs_run < 40
    assert result.val_losses[result.best_epoch] == min(result.val_losses)
    assert report.methods["model"]["wape"] < report.methods["seasonal_naive"]["wape"]


def test_forecast_gives_nonnegative_monotone_quantiles_per_horizon_day(trained_small):
    # given
    panel, result = trained_small

    # when
    fc = forecast(result.model, panel)

    # then
    assert fc.values.shape == (12, 7, 3)
    assert (fc.values >= 0).all()
    assert (np.diff(fc.values, axis=-1) >= 0).all()
    assert fc.dates[0] == panel.dates[-1] + np.timedelta64(1, "D")
    frame = fc.to_frame()
    assert list(frame.columns) == ["key", "date", "p10", "p50", "p90"]
    assert len(frame) == 12 * 7


def test_fine_tuning_reports_progress_and_leaves_the_base_model_untouched(trained_small):
    # given a base model and a tenant's own history
    _, base = trained_small
    before = {k: v.clone() for k, v in base.model.state_dict().items()}
    tenant = seasonal_panel(n_series=5, days=120, seed=7)
    reports = []

    # when
    result = fine_tune(
        base.model, tenant, epochs=3, samples_per_epoch=500, progress=lambda pct, stage: reports.append((pct, stage)), threads=1
    )

    # then
    assert reports[0] == (0, "preparing")
    assert reports[-1] == (100, "done")
    percents = [p for p, _ in reports]
    assert percents == sorted(percents)
    assert any(stage == "fine_tuning" for _, stage in reports)
    assert all(torch.equal(before[k], v) for k, v in base.model.state_dict().items())
    assert any(not torch.equal(before[k], v) for k, v in result.model.state_dict().items())
