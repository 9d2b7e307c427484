"""The demo's sales history and forecasts: real ledger moves, two forecast runs, from the champion when
MLflow has one and from the ETS baseline with a conformal band otherwise."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.test import override_settings
from django.utils import timezone
from mlflow import MlflowClient

from core.demo import FORECAST_AGO_DAYS, HISTORY_DAYS, HORIZON_DAYS, build_core_demo
from core.inventory.models import StockMove
from core.locations.models import LocationKind
from core.planning.models import DemandForecast, ReplenishmentProposal
from core.planning.services import run_replenishment
from ml_models.base_models import train_base_model
from ml_models.training import TrainConfig


def test_demo_posts_daily_store_sales_and_baseline_forecasts_that_cover_them(in_alpha, tmp_path):
    # given no model registry at all
    today = timezone.localdate()
    with override_settings(MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'none.db'}"):
        # when
        build_core_demo()
    # then: 8 weeks of sales from the two stores, one posting per day
    sales = StockMove.objects.filter(to_location__kind=LocationKind.CUSTOMER, document_type="pos_sales")
    days = set(sales.annotate(day=TruncDate("occurred_at")).values_list("day", flat=True))
    assert min(days) >= today - timedelta(days=HISTORY_DAYS) and max(days) == today - timedelta(days=1)
    assert len(days) >= HISTORY_DAYS - 2
    # two runs of 28 days for 4 items × 2 stores, ordered quantiles, from the baseline
    rows = DemandForecast.objects.all()
    assert set(rows.values_list("made_on", flat=True)) == {today - timedelta(days=FORECAST_AGO_DAYS), today}
    assert rows.count() == 2 * 8 * HORIZON_DAYS
    assert set(rows.values_list("model_name", flat=True)) == {"baseline.ets"}
    assert all(r.p10 <= r.p50 <= r.p90 for r in rows)
    # the earlier run's band holds most of what was then sold (nominal 80 %)
    actual = {
        (r["item_id"], r["from_location_id"], r["day"]): r["total"]
        for r in sales.annotate(day=TruncDate("occurred_at"))
        .values("item_id", "from_location_id", "day")
        .annotate(total=Sum("quantity"))
    }
    early = rows.filter(made_on=today - timedelta(days=FORECAST_AGO_DAYS), forecast_date__lt=today)
    inside = [r.p10 <= actual.get((r.item_id, r.location_id, r.forecast_date), Decimal("0")) <= r.p90 for r in early]
    assert len(inside) == 8 * FORECAST_AGO_DAYS
    assert sum(inside) / len(inside) >= 0.5


def test_demo_forecasts_come_from_the_champion_when_there_is_one(in_alpha, tmp_path):
    # given a (tiny) trained core base model holding the champion alias
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with override_settings(MLFLOW_TRACKING_URI=uri, MLFLOW_ARTIFACT_ROOT=str(tmp_path / "artifacts")):
        base = train_base_model("core", uri, n_series=8, days=150, train_config=TrainConfig(max_epochs=1, samples_per_epoch=500))
        MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(base.name, "champion", base.logged.version)
        # when
        started = time.perf_counter()
        build_core_demo()
        print(f"demo with the champion: {time.perf_counter() - started:.2f} s")
    # then
    rows = DemandForecast.objects.all()
    assert rows.count() == 2 * 8 * HORIZON_DAYS
    assert set(rows.values_list("model_name", "model_version")) == {("public.core.demand", str(base.logged.version))}
    assert all(r.p10 <= r.p50 <= r.p90 for r in rows)


def test_a_replenishment_run_on_the_demo_orders_what_ran_low_and_not_what_is_on_a_truck(in_alpha, tmp_path):
    # given the demo, its forecasts from the baseline
    with override_settings(MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'none.db'}"):
        build_core_demo()

    # when
    run = run_replenishment(run_key="demo-check")
    proposals = list(ReplenishmentProposal.objects.filter(run=run).select_related("location", "item", "supplier"))

    # then: every sourced pair was checked; the salt that ran low at 文三路店 is ordered from its supplier
    assert run.pairs_evaluated == 8
    assert ("ST-HZ1/stock", "SALT-400", "SUP-HD") in {(p.location.code, p.item.sku, p.supplier.code) for p in proposals}
    assert all(p.inventory_position < p.reorder_point for p in proposals)
    # and 文三路店's soy sauce and vinegar, low on the shelf but on a truck from the warehouse, are not
    assert not [p for p in proposals if p.location.code == "ST-HZ1/stock" and p.item.sku in ("SOY-500", "VIN-500")]
