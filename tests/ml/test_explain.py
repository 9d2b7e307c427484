"""Each forecast comes with the weight of each feature family behind it."""

import numpy as np
import pytest

from ml_models.explain import explain
from ml_models.serving import forecast


def test_explanations_cover_every_series_and_add_up_to_the_forecast(trained_small):
    # given
    panel, result = trained_small

    # when
    rows = explain(result.model, panel, steps=64)

    # then one row per series, the four families, shares summing to one
    assert [r["key"] for r in rows] == panel.keys
    for row in rows:
        assert set(row["contributions"]) == {"lags", "calendar", "price_promo", "signals"}
        assert sum(row["shares"].values()) == pytest.approx(1.0)
        # integrated gradients are complete: reference + contributions = the P50 total
        total = row["reference_total"] + sum(row["contributions"].values())
        assert total == pytest.approx(row["p50_total"], rel=0.02, abs=0.5)
    # and the explained P50 total is the served one (demand is positive here, so no clamping)
    served = forecast(result.model, panel).median.sum(axis=1)
    assert np.allclose([r["p50_total"] for r in rows], served, rtol=1e-4)


def test_series_without_prices_or_signals_get_no_weight_from_them(trained_small):
    # given a panel with no exogenous channels at all
    panel, result = trained_small

    # when
    rows = explain(result.model, panel)

    # then
    assert all(r["contributions"]["price_promo"] == 0 for r in rows)
    assert all(r["contributions"]["signals"] == 0 for r in rows)
