"""Dry runs over expanded events (forecasts, stock alerts, lots, weather) cost the same queries for 3 or 30 events."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events.services import record_events
from core.inventory.factories import make_item, make_stock_location, receive
from core.rules.dryrun import Draft, dry_run
from core.rules.grammar import parse_rule


def _forecast_events(count: int, change: str) -> None:
    shelf = make_stock_location()
    subjects = []
    for _ in range(count):
        item = make_item()
        receive(item, shelf, "4")
        subjects.append((item.pk, {"item_id": item.pk, "location_id": shelf.pk, "change_pct": change, "p50_total": "10"}))
    record_events("forecast.updated", "forecast", subjects)


def _queries_of_dry_run(trigger: str, text: str) -> tuple[int, int, int]:
    parsed = parse_rule(text, "zh")
    with CaptureQueriesContext(connection) as captured:
        report = dry_run(Draft(trigger, parsed.condition, parsed.actions), days=30)
    return len(captured.captured_queries), report.evaluated, report.matched


def test_a_forecast_dry_run_costs_the_same_queries_for_3_or_30_events(in_alpha):
    # given
    text = '当预测变化率>10时添加标签"watch"'
    _forecast_events(3, "12.5")
    few, evaluated_few, matched_few = _queries_of_dry_run("forecast.updated", text)
    # when
    _forecast_events(27, "5")
    many, evaluated_many, matched_many = _queries_of_dry_run("forecast.updated", text)
    # then
    assert (evaluated_few, matched_few) == (3, 3)
    assert (evaluated_many, matched_many) == (30, 3)
    assert many == few


def test_a_stock_alert_dry_run_reads_on_hand_once_for_all_events(in_alpha):
    # given: items below their reorder point, on hand 4 each
    shelf = make_stock_location()
    subjects = []
    for _ in range(12):
        item = make_item()
        receive(item, shelf, "4")
        payload = {"item_id": item.pk, "location_id": shelf.pk, "inventory_position": "4", "reorder_point": "10"}
        subjects.append((item.pk, payload))
    record_events("stock.below_reorder_point", "replenishment_proposal", subjects[:2])
    few, _, _ = _queries_of_dry_run("stock.below_reorder_point", '当现有库存<5时添加标签"low"')
    record_events("stock.below_reorder_point", "replenishment_proposal", subjects[2:])
    # when
    many, evaluated, matched = _queries_of_dry_run("stock.below_reorder_point", '当现有库存<5时添加标签"low"')
    # then
    assert (evaluated, matched) == (12, 12)
    assert many == few
