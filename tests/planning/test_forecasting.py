"""Forecast refresh without a fine-tune: the best baseline per demand class is served (and says so), forecasts
start the day after the history, closed days are zero, and only figures the customer gets are shown."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.storage import storages
from django.utils import timezone

from core.inventory.factories import make_item, make_stock_location
from core.planning.forecasting import refresh_forecasts
from core.planning.models import DemandForecast, ForecastExplanation, ForecastRunStatus, LocationCalendar
from core.planning.served import served_classes
from core.planning.uploads import upload_demand_history
from ml_models.champion import BASELINES
from tests.ml_pipeline.conftest import system_actor
from tests.planning.history_support import csv_bytes, daily_history


def _history(days: int, skus: tuple[str, ...] = ("A-1", "B-2")) -> tuple[object, object]:
    for sku in skus:
        make_item(sku)
    location = make_stock_location("WH1")
    end = timezone.localdate() - timedelta(days=3)
    upload = upload_demand_history(
        csv_bytes(daily_history(skus, location.code, end - timedelta(days=days - 1), days)), "h.csv", system_actor()
    )
    storages["default"].delete(upload.storage_key)
    return location, end


def test_without_a_fine_tune_the_best_baseline_per_class_serves_from_the_day_after_the_history(in_alpha):
    # given 120 days of daily history ending three days ago, the store closed on Sundays
    location, end = _history(120)
    LocationCalendar.objects.create(location=location, closed_weekdays=[6])

    # when
    run = refresh_forecasts(trigger="on_demand")
    again = refresh_forecasts(trigger="on_demand")

    # then
    assert run.status == again.status == ForecastRunStatus.DONE
    assert run.start_date == end + timedelta(days=1) and run.rows_written == again.rows_written == 2 * 28
    rows = list(DemandForecast.objects.order_by("item_id", "forecast_date"))
    assert len(rows) == 2 * 28 and min(r.forecast_date for r in rows) == run.start_date
    assert all(r.p10 <= r.p50 <= r.p90 and r.made_on == timezone.localdate() for r in rows)
    assert all(r.p90 == 0 for r in rows if r.forecast_date.weekday() == 6)  # closed: zero, band included
    assert any(r.p50 > 0 for r in rows if r.forecast_date.weekday() != 6)
    served = served_classes(run.served)
    assert served and {s.model for s in served} <= set(BASELINES)
    for entry in served:
        # the figure shown is the served model's own backtest WAPE, the best of the baselines it was chosen from
        assert entry.wape == min(score for _, score in entry.baselines) == dict(entry.baselines)[entry.model]
    assert not ForecastExplanation.objects.exists()  # baselines have no feature families to explain


def test_a_history_too_short_to_backtest_is_served_by_a_baseline_and_says_so_in_the_readers_language(in_alpha):
    # given
    _history(20, skus=("A-1",))

    # when
    run = refresh_forecasts(trigger="on_demand")

    # then
    from django.utils import translation

    with translation.override("en"):
        [entry] = served_classes(run.served)
    with translation.override("zh-hans"):
        [chinese] = served_classes(run.served)
    # The library needs horizon × (origins + 1) = 112 observed days to backtest a series.
    assert entry.demand_class == "short" and entry.model == "weekday_average" and entry.wape is None
    assert entry.reasons[0] == "History shorter than 112 days → best baseline served."
    assert chinese.reasons[0] == "历史不足 112 天 → 使用最佳基线。" and chinese.model_label == "同星期日均值"


def test_without_any_history_nothing_is_written(in_alpha):
    # when
    run = refresh_forecasts(trigger="on_demand")

    # then
    assert run.status == ForecastRunStatus.DONE and run.rows_written == 0 and not DemandForecast.objects.exists()


def test_todays_explanations_are_replaced_by_a_rerun(in_alpha):
    # given today's explanation of a pair, then a run in which no series is served by the network
    location, _ = _history(120, skus=("A-1",))
    from core.catalog.models import Item

    stale = ForecastExplanation.objects.create(
        item=Item.objects.get(sku="A-1"),
        location=location,
        made_on=timezone.localdate(),
        horizon_days=28,
        reference=Decimal("1"),
        p50_total=Decimal("1"),
        contributions={"lags": 0.0},
    )

    # when
    refresh_forecasts(trigger="on_demand")

    # then
    assert not ForecastExplanation.objects.filter(pk=stale.pk).exists()
