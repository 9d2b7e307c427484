"""The tenant's one demand history: uploads accumulate, re-uploads supersede with audit, plan rows, per-row
errors, Chinese headers, shipments rolled up, and the one panel builder's known-future channels."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.core.files.storage import storages
from django.utils import timezone

from core.catalog.models import Item
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.planning.history import read_history, roll_up_shipments
from core.planning.known_future import build_demand_panel
from core.planning.models import DemandHistoryRow, HistorySource, LocationCalendar, PlanningSettings, Promotion, UploadStatus
from core.planning.uploads import upload_demand_history
from tests.ml_pipeline.conftest import system_actor
from tests.planning.history_support import csv_bytes


def _upload(data: bytes):
    upload = upload_demand_history(data, "h.csv", system_actor())
    if upload.storage_key:
        storages["default"].delete(upload.storage_key)
    return upload


def test_a_later_upload_replaces_the_same_days_and_keeps_the_replaced_rows_for_audit(in_alpha):
    # given
    make_item("A-1")
    code = make_stock_location("WH1").code
    first = _upload(csv_bytes([f"2026-01-0{d},A-1,{code},5,,," for d in (1, 2, 3)]))

    # when: the second file corrects Jan 2 and 3 and adds Jan 4
    second = _upload(csv_bytes([f"2026-01-0{d},A-1,{code},7,,," for d in (2, 3, 4)]))

    # then
    assert second.status == UploadStatus.VALIDATED and second.replaced_row_count == 2
    current = DemandHistoryRow.objects.filter(superseded_by__isnull=True).order_by("date")
    assert [(r.date.day, r.quantity, r.upload_id) for r in current] == [
        (1, Decimal(5), first.pk),
        (2, Decimal(7), second.pk),
        (3, Decimal(7), second.pk),
        (4, Decimal(7), second.pk),
    ]
    audit = DemandHistoryRow.objects.filter(superseded_by=second).order_by("date")
    assert [(r.date.day, r.quantity, r.upload_id) for r in audit] == [(2, Decimal(5), first.pk), (3, Decimal(5), first.pk)]
    table = read_history()
    assert sorted(table.quantity.tolist()) == [5.0, 7.0, 7.0, 7.0]


def test_plan_rows_are_stored_without_quantity_and_a_future_row_with_a_quantity_is_an_error(in_alpha):
    # given
    make_item("A-1")
    code = make_stock_location("WH1").code
    tomorrow = timezone.localdate() + timedelta(days=1)

    # when
    planned = _upload(csv_bytes([f"{tomorrow.isoformat()},A-1,{code},,8.50,1,0"]))
    refused = _upload(csv_bytes([f"{tomorrow.isoformat()},A-1,{code},3,,1,"]))
    empty = _upload(csv_bytes([f"{tomorrow.isoformat()},A-1,{code},,,,"]))

    # then
    assert planned.status == UploadStatus.VALIDATED and (planned.row_count, planned.plan_row_count) == (0, 1)
    row = DemandHistoryRow.objects.get()
    assert (row.quantity, row.price, row.promo, row.is_open) == (None, Decimal("8.5"), True, False)
    assert refused.status == UploadStatus.REJECTED and [(e["row"], e["column"]) for e in refused.errors] == [(2, "quantity")]
    assert empty.status == UploadStatus.REJECTED and empty.errors[0]["column"] == "quantity"


def test_unknown_items_and_locations_are_reported_per_row_under_chinese_headers_and_nothing_is_imported(in_alpha):
    # given
    make_item("A-1")
    code = make_stock_location("WH1").code
    data = (
        "日期,商品编码,门店,销量,促销,营业\n"
        f"2026-01-01,A-1,{code},3,是,1\n"
        f"2026-01-02,NOPE,{code},3,否,1\n"
        "2026-01-03,A-1,NOWHERE,3,,\n"
    )

    # when
    rejected = _upload(data.encode())
    accepted = _upload(data.splitlines()[0].encode() + b"\n" + data.splitlines()[1].encode() + b"\n")

    # then
    assert [(e["row"], e["column"]) for e in rejected.errors] == [(3, "sku"), (4, "location")]
    assert accepted.status == UploadStatus.VALIDATED
    row = DemandHistoryRow.objects.get()
    assert (row.quantity, row.promo, row.is_open, row.upload_id) == (Decimal(3), True, True, accepted.pk)


def test_shipments_roll_up_into_the_history_and_a_rerun_writes_nothing_twice(in_alpha):
    # given
    item = make_item("A-1")
    location = make_stock_location("WH1")
    receive(item, location, 100)
    issue(item, location, 4)
    issue(item, location, 3)

    # when
    roll_up_shipments(days=1)
    roll_up_shipments(days=1)
    issue(item, location, 2)
    roll_up_shipments(days=1)

    # then
    rows = DemandHistoryRow.objects.filter(source=HistorySource.SHIPMENT)
    assert [(r.item_id, r.location_id, r.date, r.quantity) for r in rows] == [
        (item.pk, location.pk, timezone.localdate(), Decimal(9))
    ]


def test_an_uploaded_day_wins_over_the_ledger_and_both_join_one_history(in_alpha):
    # given: the ledger shipped 9 today, the tenant uploads 12 for today and 5 for yesterday
    item = make_item("A-1")
    location = make_stock_location("WH1")
    receive(item, location, 100)
    issue(item, location, 9)
    roll_up_shipments(days=1)
    today = timezone.localdate()
    _upload(
        csv_bytes(
            [
                f"{today.isoformat()},A-1,{location.code},12,,,",
                f"{(today - timedelta(days=1)).isoformat()},A-1,{location.code},5,,,",
            ]
        )
    )

    # when
    table = read_history()

    # then
    by_day = dict(zip(table.date.astype("datetime64[D]").astype(date).tolist(), table.quantity.tolist(), strict=True))
    assert by_day == {today: 12.0, today - timedelta(days=1): 5.0}


def test_the_panel_builder_fills_open_promo_price_and_holiday_channels(in_alpha):
    # given: 2 items, 3 weeks of history ending on 2026-09-30, closed on Sundays by the store calendar, a promotion
    # record over the first days of October for one item, a plan row closing Oct 2, and the CN holidays
    make_item("A-1")
    make_item("B-2")
    location = make_stock_location("WH1")
    LocationCalendar.objects.create(location=location, closed_weekdays=[6])
    PlanningSettings.objects.create(holiday_region="CN")
    start = date(2026, 9, 10)
    lines = [
        f"{(start + timedelta(days=d)).isoformat()},{sku},{location.code},3,9.90,0," for d in range(21) for sku in ("A-1", "B-2")
    ]
    _upload(csv_bytes([*lines, f"2026-10-02,A-1,{location.code},,8.00,,0"]))
    promotion = Promotion.objects.create(
        name="国庆",
        item=Item.objects.get(sku="A-1"),
        start_date=date(2026, 10, 1),
        end_date=date(2026, 10, 3),
        discount=Decimal("0.2"),
    )
    promotion.locations.set([location])

    # when
    built = build_demand_panel(horizon=7)

    # then
    assert built is not None
    panel, keys = built
    assert panel.dates[-1].date() == date(2026, 9, 30) and panel.values.shape == (2, 21)
    a = next(i for i, k in enumerate(keys.item_ids) if Item.objects.get(pk=k).sku == "A-1")
    b = 1 - a
    future = {name: channel[:, 21:] for name, channel in panel.exog.items()}  # Oct 1 .. Oct 7
    assert all(channel.shape == (2, 28) for channel in panel.exog.values())
    assert future["holiday"][0, :3].tolist() == [1.0] * 3  # 国庆: the statutory days
    assert np.allclose(future["promo"][a, :3], 0.2) and future["promo"][a, 3] == 0.0 and future["promo"][b].max() == 0.0
    assert future["open"][a, 1] == 0.0 and future["open"][b, 1] == 1.0  # the plan row closes A-1 on Oct 2
    sundays = [d for d in range(28) if (start + timedelta(days=d)).weekday() == 6]
    assert all(panel.exog["open"][b, d] == 0.0 for d in sundays)
    assert np.allclose(future["price"][a, 1:], 8.0) and np.allclose(future["price"][b], 9.9)


def test_the_policy_backtest_replays_the_history_up_to_its_last_day_and_refuses_an_empty_window(in_alpha):
    # given 60 days of uploaded sales ending 100 days ago, and an item without any
    import pytest

    from core.planning.backtest_data import backtest_item, history_end
    from core.planning.exceptions import NoDemandHistory

    item, quiet = make_item("A-1"), make_item("Q-1")
    location = make_stock_location("WH1")
    end = timezone.localdate() - timedelta(days=100)
    lines = [f"{(end - timedelta(days=d)).isoformat()},A-1,{location.code},{3 + d % 4},,," for d in range(60)]
    _upload(csv_bytes(lines))

    # when
    comparison = backtest_item(item.pk, location.pk, 60)

    # then: the replay covers the uploaded days (not the empty days up to today)
    assert history_end(item.pk, location.pk) == end
    assert comparison.forecast.demanded == sum(3 + d % 4 for d in range(32))  # the 32 days after the 28 training days
    with pytest.raises(NoDemandHistory):
        backtest_item(quiet.pk, location.pk, 60)
