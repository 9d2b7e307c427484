"""Inventory Health Index: hand-computed components, the weighted index, and rollups from real stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.inventory.factories import issue, make_item, receive
from core.planning import health
from core.planning.health import HealthInputs
from core.planning.policy import LeadTime
from tests.planning.factories import make_store_location, write_forecast


def _inputs(**fields: object) -> HealthInputs:
    base: dict[str, object] = {
        "on_hand": D("70"),
        "position": D("70"),
        "daily_demand": D("10"),
        "daily_sigma": D("0"),
        "lead_time": LeadTime(D("4"), D("1")),
        "target_cover_days": D("7"),
        "days_since_last_sale": D("1"),
    }
    base.update(fields)
    return HealthInputs(**base)  # type: ignore[arg-type]


def test_healthy_stock_scores_by_the_documented_weights() -> None:
    # given: 7 days of cover against a 7-day target; position 56.449 = mean 40 + 1.6449 σ (σ_LTD = 10)
    inputs = _inputs(position=D("56.449"))

    # when
    score = health.health_score(1, 1, inputs)

    # then: cover 100, stockout 95, excess/ageing 100, expiry 100 (no lots), accuracy left out;
    # (0.2·100 + 0.3·95 + 0.2·100 + 0.15·100) / 0.85 = 98.2
    assert score.components == {
        "cover": D("100.0"),
        "stockout": D("95.0"),
        "excess_ageing": D("100.0"),
        "expiry": D("100.0"),
        "accuracy": None,
    }
    assert score.score == D("98.2")
    assert score.cover_days == D("7.0")


def test_thin_cover_and_stockout_risk_pull_the_index_down() -> None:
    # given: 20 on hand (2 days against 7) and a position equal to mean lead-time demand 40
    inputs = _inputs(on_hand=D("20"), position=D("40"))

    # when
    score = health.health_score(1, 1, inputs)

    # then: cover 100·2/7 = 28.6; stockout 50; (0.2·28.6 + 0.3·50 + 0.2·100 + 0.15·100)/0.85 = 65.6
    assert score.components["cover"] == D("28.6")
    assert score.components["stockout"] == D("50.0")
    assert score.score == D("65.6")


def test_excess_ageing_and_expiry_components() -> None:
    # excess: 210 on hand = 3× target cover → 100 − 50·(3 − 2) = 50
    assert health.excess_ageing_score(_inputs(on_hand=D("210"))) == D("50.0")
    # ageing: last sale 105 days ago → 100·(180 − 105)/150 = 50, the worse of the two wins
    assert health.excess_ageing_score(_inputs(days_since_last_sale=D("105"))) == D("50.0")
    # stock nobody wants is 0
    assert health.excess_ageing_score(_inputs(daily_demand=D("0"))) == D("0")
    # expiry: lots of 30 (expires in 2 days) and 50 (in 10 days) at 10/day: lot 1 sells 20, lot 2 sells 50
    # → 10 of 80 expire unsold → 87.5
    assert health.expiry_score([(D("50"), D("10")), (D("30"), D("2"))], D("10")) == D("87.5")


def test_accuracy_joins_the_index_once_actuals_exist() -> None:
    # given: WAPE 20 % over the past window
    inputs = _inputs(position=D("56.449"), forecast_total=D("100"), actual_total=D("100"), absolute_error=D("20"))

    # when
    score = health.health_score(1, 1, inputs)

    # then: accuracy 80; (0.2·100 + 0.3·95 + 0.2·100 + 0.15·100 + 0.15·80) / 1 = 95.5
    assert score.components["accuracy"] == D("80.0")
    assert score.score == D("95.5")


def test_rollup_weights_by_stock_value() -> None:
    # given: a 1000-value line scoring 90 and a 3000-value line scoring 50
    scores = [
        health.HealthScore(1, 1, D("90"), {}, D("1000")),
        health.HealthScore(2, 1, D("50"), {}, D("3000")),
    ]

    # when / then: (90·1000 + 50·3000) / 4000 = 60
    assert health.rollup(scores) == D("60.0")
    assert health.rollup([]) is None


@pytest.mark.usefixtures("in_alpha")
def test_inventory_health_reads_stock_sales_and_forecasts_from_the_ledger() -> None:
    # given: a store with 100 on hand at cost 5, selling 10 a day, forecast 10/day (also for the past 3 days)
    today = timezone.localdate()
    item = make_item()
    store = make_store_location()
    receive(item, store, 130, unit_cost="5")
    for days_ago in (3, 2, 1):
        issue(item, store, 10, occurred_at=timezone.now() - timedelta(days=days_ago))
    write_forecast(item, store, today - timedelta(days=3), 33, "10", "10", "10")

    # when
    [score] = health.inventory_health([store.pk], today=today)

    # then: 10 days of cover against the 14-day default, exact forecasts, stock valued at 500
    assert score.cover_days == D("10.0")
    assert score.components["cover"] == D("71.4")
    assert score.components["accuracy"] == D("100.0")
    assert score.stock_value == D("500")
    assert health.rollup([score]) == score.score
