"""Series served by the network are explained: the reference level plus one contribution per feature family,
adding up to the P50 total (integrated gradients over the same panel the forecast was made from)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.storage import storages
from django.utils import timezone

from core.inventory.factories import make_item, make_stock_location
from core.planning.forecasting import explain_forecasts
from core.planning.known_future import build_demand_panel
from core.planning.uploads import upload_demand_history
from ml_models.base_models import train_base_model
from ml_models.serving import forecast
from ml_models.tracking import load_version
from ml_models.training import TrainConfig
from tests.ml_pipeline.conftest import system_actor
from tests.planning.history_support import csv_bytes, daily_history

FAMILIES = {"lags", "calendar", "price_promo", "signals"}


def test_each_network_served_series_is_explained_by_contributions_adding_up_to_its_p50_total(in_alpha, tmp_path):
    # given a network and two items with daily history
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    trained = train_base_model("core", uri, n_series=8, days=150, train_config=TrainConfig(max_epochs=1, samples_per_epoch=500))
    network = load_version(trained.name, trained.logged.version, uri).model
    for sku in ("A-1", "B-2"):
        make_item(sku)
    code = make_stock_location("WH1").code
    end = timezone.localdate() - timedelta(days=1)
    upload = upload_demand_history(
        csv_bytes(daily_history(("A-1", "B-2"), code, end - timedelta(days=89), 90)), "h.csv", system_actor()
    )
    storages["default"].delete(upload.storage_key)
    built = build_demand_panel(horizon=28)
    assert built is not None
    panel, keys = built

    # when
    explanations = explain_forecasts(network, panel, keys, [0, 1], "t.core.demand", "1", 28)

    # then
    assert len(explanations) == 2
    p50 = forecast(network, panel).quantile(0.5).sum(axis=1)
    for row, e in enumerate(explanations):
        assert (e.item_id, e.location_id) == (int(keys.item_ids[row]), int(keys.location_ids[row]))
        assert e.made_on == timezone.localdate() and e.horizon_days == 28 and set(e.contributions) == FAMILIES
        explained = e.reference + sum(Decimal(str(v)) for v in e.contributions.values())
        # integrated gradients are complete up to their integration error (32 steps)
        assert abs(explained - e.p50_total) <= Decimal("0.01") * abs(e.p50_total) + Decimal("0.05"), (e, e.contributions)
        assert abs(float(e.p50_total) - float(p50[row])) <= 0.01 * float(p50[row]) + 0.01
