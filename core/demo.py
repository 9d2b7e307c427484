"""Demo data for the core module: a small seasoning distributor (调味品批发) with two stores.

Built only through the public services (the CSV importer, then the document services), so the demo
shows exactly what a new tenant would get by doing the same by hand: documents in every interesting
state — awaiting approval, awaiting the supplier, in transit, short of stock — each with its timeline.

Then eight weeks of daily store sales and the forecasts a nightly job would have made, so the dashboard
has a forecast band to set against actuals: the sales follow the core module's synthetic demand profile
(weekly rhythm, trend, promotions) and are posted to the ledger as daily POS sales, so the actuals are real
stock moves. Forecasts are made twice: four weeks ago (from the history up to then, so the band can be
checked against what sold since) and today. The forecaster is the tenant's or the core module's champion
when MLflow has one, else the ETS baseline with split-conformal quantiles (the baseline's own errors on a
holdout set the band).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.catalog.models import Item
from core.imports.services import import_file
from core.inventory.models import ItemValuation
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import create_store, create_warehouse, get_virtual_location, stock_location_of
from core.logistics.services import TransferLineInput, create_transfer, ship_transfer
from core.partners.models import Customer, Supplier
from core.planning.models import DemandForecast, SourcingRule
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
    update_purchasing_settings,
)
from core.sales.services import SalesLineInput, allocate_sales_order, confirm_sales_order, create_sales_order
from ml_models.specs import demand_spec
from ml_models.synthetic import PROMOTION_SHARE

ACTOR = "demo"

ITEMS = """sku,name_zh,name_en,unit,category,barcodes,lot_tracked,shelf_life_days,removal_strategy,pack_size,moq
SOY-500,生抽酱油 500ml,Light soy sauce 500ml,瓶,调味品,6901234500011,no,,fifo,12,24
VIN-500,香醋 500ml,Aromatic vinegar 500ml,瓶,调味品,6901234500028,no,,fifo,12,24
OIL-5L,花生油 5L,Peanut oil 5L,桶,粮油,6901234500035,yes,365,fefo,4,8
RICE-10,东北大米 10kg,Northeast rice 10kg,袋,粮油,6901234500042,no,,fifo,1,10
CHILI-200,辣椒酱 200g,Chili sauce 200g,瓶,调味品,6901234500059,yes,270,fefo,24,48
SALT-400,食盐 400g,Salt 400g,包,调味品,6901234500066,no,,fifo,40,40
"""

SUPPLIERS = """code,name,lead_time_days,moq,currency
SUP-HD,华东调味品有限公司,5,0,CNY
SUP-NE,东北粮油集团,9,0,CNY
"""

CUSTOMERS = """code,name,tier,credit_limit,address,tags
CUS-AIR,机场便利店,vip,50000,上海浦东国际机场T2 到达层,机场|24h
CUS-WEST,城西社区超市,standard,8000,杭州市西湖区文三路 88 号,社区
"""


def build_core_demo() -> None:
    main = stock_location_of(create_warehouse("WH-SH", "上海总仓", address="上海市闵行区"))
    store_a = stock_location_of(create_store("ST-HZ1", "杭州文三路店", address="杭州市西湖区文三路 88 号"))
    stock_location_of(create_store("ST-HZ2", "杭州滨江店", address="杭州市滨江区江南大道 1 号"))
    for kind, text in (("items", ITEMS), ("suppliers", SUPPLIERS), ("customers", CUSTOMERS)):
        import_file(kind, text.encode(), f"demo-{kind}.csv", actor=ACTOR)
    short_lot_expiry = timezone.localdate() + timedelta(days=21)
    opening = (
        "sku,location,quantity,unit_cost,lot_code,expiry_date\n"
        "SOY-500,WH-SH/stock,240,8.50,,\n"
        "VIN-500,WH-SH/stock,120,6.80,,\n"
        "OIL-5L,WH-SH/stock,30,78.00,L2026-09,2027-09-01\n"
        "OIL-5L,WH-SH/stock,16,80.00,L2026-11,2027-11-01\n"
        "RICE-10,WH-SH/stock,60,52.00,,\n"
        "CHILI-200,WH-SH/stock,96,5.20,C2026-10,2027-03-15\n"
        "SOY-500,ST-HZ1/stock,18,8.50,,\n"
        # A lot made 270 days ago (its shelf life), so it expires in three weeks: the expiring-stock list
        f"CHILI-200,ST-HZ1/stock,36,5.10,C{short_lot_expiry - timedelta(days=270):%Y%m%d},{short_lot_expiry}\n"
    )
    import_file("opening_stock", opening.encode(), "demo-opening.csv", actor=ACTOR)
    build_demo_sales_and_forecasts(("ST-HZ1", "ST-HZ2"))
    _demo_documents(main, store_a)
    _demo_sourcing(main)
    # The rule packs of the demo's modules were loaded at signup (core.rules.packs, on modules_enabled).


# Where each store's items come from: 文三路店 is restocked from the Shanghai warehouse (two days by truck) except
# salt, which the warehouse does not stock; 滨江店 buys from the suppliers except rice, which the warehouse holds.
# A replenishment run on the demo proposes an order for the pairs whose cover ran low (文三路店's salt), and
# nothing for 文三路店's soy sauce and vinegar, which are low on the shelf but on a truck (the transfer below).
DEMO_SOURCING = {
    "ST-HZ1": {"SOY-500": "WH-SH", "VIN-500": "WH-SH", "RICE-10": "WH-SH", "SALT-400": "SUP-HD"},
    "ST-HZ2": {"SOY-500": "SUP-HD", "VIN-500": "SUP-HD", "RICE-10": "WH-SH", "SALT-400": "SUP-HD"},
}
DEMO_UNIT_PRICES = {"SOY-500": "8.50", "VIN-500": "6.80", "RICE-10": "52.00", "SALT-400": "2.40"}


def _demo_sourcing(main: Location) -> None:
    items = {item.sku: item for item in Item.objects.filter(sku__in=DEMO_UNIT_PRICES)}
    suppliers = {supplier.code: supplier for supplier in Supplier.objects.all()}
    rules = []
    for store_code, sources in DEMO_SOURCING.items():
        store = Location.objects.get(code=f"{store_code}/stock")
        for sku, source in sources.items():
            from_warehouse = main.code == f"{source}/stock"
            rules.append(
                SourcingRule(
                    item=items[sku],
                    location=store,
                    supplier=None if from_warehouse else suppliers[source],
                    source_location=main if from_warehouse else None,
                    transfer_lead_time_days=Decimal("2"),
                    unit_price=Decimal(DEMO_UNIT_PRICES[sku]),
                )
            )
    SourcingRule.objects.bulk_create(rules)


def _demo_documents(main, store_a) -> None:
    items = {item.sku: item for item in Item.objects.all()}
    east, north = Supplier.objects.get(code="SUP-HD"), Supplier.objects.get(code="SUP-NE")
    update_purchasing_settings(approval_threshold=Decimal("20000"))

    # A large order waiting for a manager (blocking reason: awaiting approval).
    big = create_purchase_order(
        supplier=north,
        destination=main,
        lines=[OrderLineInput(items["RICE-10"].pk, Decimal("400"), Decimal("51.50"))],
        actor=ACTOR,
    )
    submit_purchase_order(big, actor=ACTOR)

    # Sent and partly received: the rest is awaited from the supplier, and counts in inventory position.
    soy = create_purchase_order(
        supplier=east,
        destination=main,
        lines=[
            OrderLineInput(items["SOY-500"].pk, Decimal("240"), Decimal("8.40")),
            OrderLineInput(items["VIN-500"].pk, Decimal("120"), Decimal("6.70")),
        ],
        actor=ACTOR,
    )
    submit_purchase_order(soy, actor=ACTOR)
    send_purchase_order(soy, actor=ACTOR)
    first_line = soy.lines.order_by("pk")[0]
    receive_purchase_order(soy, [ReceiptLineInput(first_line.pk, Decimal("120"))], actor=ACTOR, reference="demo-soy-1")

    # Store replenishment on its way (在途): visible in the store's inventory position.
    transfer = create_transfer(
        from_location=main,
        to_location=store_a,
        lines=[TransferLineInput(items["SOY-500"].pk, Decimal("48")), TransferLineInput(items["VIN-500"].pk, Decimal("24"))],
        actor=ACTOR,
    )
    ship_transfer(transfer, actor=ACTOR, carrier="顺丰", tracking_number="SF1234567890")

    # A VIP order larger than the stock: allocated in part, the rest backordered (awaiting stock).
    order = create_sales_order(
        customer=Customer.objects.get(code="CUS-AIR"),
        source=main,
        lines=[SalesLineInput(items["CHILI-200"].pk, Decimal("120"), Decimal("9.90"))],
        actor=ACTOR,
        shipping_address="上海浦东国际机场T2 到达层",
    )
    confirm_sales_order(order, actor=ACTOR)
    allocate_sales_order(order, actor=ACTOR)


# --- sales history and forecasts ------------------------------------------------------------------

HISTORY_DAYS = 56
FORECAST_AGO_DAYS = 28  # the earlier run: its band covers the last four weeks of actuals
HORIZON_DAYS = 28
SEASON = 7
HOLDOUT_DAYS = 14  # the baseline's errors on these days set its quantiles
SEED = 20260
# Stock left at each store after the history, in days of the series' mean demand: some pairs short,
# some healthy, some overstocked, so every dashboard list has something to show.
COVER_AFTER_HISTORY_DAYS = (2, 9, 45, 4, 14, 70, 6, 20)
STORE_SKUS = ("SOY-500", "VIN-500", "RICE-10", "SALT-400")
Q2 = Decimal("0.01")


@dataclass(frozen=True)
class Band:
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    model_name: str
    model_version: str = ""


def build_demo_sales_and_forecasts(store_codes: tuple[str, ...], today: date | None = None) -> int:
    """Post the stores' opening stock and daily sales, then write forecasts; returns the forecast rows written."""
    today = today or timezone.localdate()
    stores = [Location.objects.get(code=f"{code}/stock") for code in store_codes]
    items = [Item.objects.get(sku=sku) for sku in STORE_SKUS]
    pairs = [(item, store) for store in stores for item in items]
    history = _demand_history(len(pairs), today)
    _post_history(pairs, history, today)
    return _write_forecasts(pairs, history, today)


def _demand_history(n_series: int, today: date) -> np.ndarray:
    """(pairs, HISTORY_DAYS) whole units sold per day, ending yesterday: Poisson demand around a level per
    series, with a slow trend, the weekend lift and short promotions of the core module's synthetic profile
    (declared in core.apps; ml_models.specs loads no torch)."""
    profile = demand_spec("core").profile  # as core.apps declares it
    rng = np.random.default_rng(SEED)
    days = [today - timedelta(days=HISTORY_DAYS - i) for i in range(HISTORY_DAYS)]
    weekend = np.array([profile.weekend_lift if day.weekday() >= 5 else 1.0 for day in days])
    level = rng.lognormal(mean=2.3, sigma=0.6, size=(n_series, 1))
    trend = 1 + rng.normal(0, 0.15, size=(n_series, 1)) * np.linspace(0, 1, HISTORY_DAYS)[None, :]
    promotion = np.where(rng.random((n_series, HISTORY_DAYS)) < PROMOTION_SHARE, profile.promo_lift, 1.0)
    return rng.poisson(level * trend * weekend[None, :] * promotion).astype(float)


def _at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _post_history(pairs: list[tuple[Item, Location]], history: np.ndarray, today: date) -> None:
    first_day = today - timedelta(days=HISTORY_DAYS)
    costs = dict(ItemValuation.objects.values_list("item_id", "average_cost"))
    source = get_virtual_location(LocationKind.INVENTORY_LOSS)  # where opening balances come from, as in imports
    opening = []
    for index, (item, store) in enumerate(pairs):
        mean = float(history[index].mean())
        left = COVER_AFTER_HISTORY_DAYS[index % len(COVER_AFTER_HISTORY_DAYS)] * max(mean, 1.0)
        quantity = Decimal(int(history[index].sum() + left))
        opening.append(MoveLine(item.pk, source.pk, store.pk, quantity, unit_cost=costs.get(item.pk) or Decimal("1")))
    post_moves(
        opening,
        idempotency_key="demo:stores:opening",
        document_type="opening_stock",
        actor=ACTOR,
        occurred_at=_at_noon(first_day - timedelta(days=1)),
    )
    customer = get_virtual_location(LocationKind.CUSTOMER)
    for day_index in range(HISTORY_DAYS):
        day = first_day + timedelta(days=day_index)
        lines = [
            MoveLine(item.pk, store.pk, customer.pk, Decimal(int(history[index, day_index])))
            for index, (item, store) in enumerate(pairs)
            if history[index, day_index] > 0
        ]
        if lines:  # one POS summary per day for every store, as a till export would post it
            post_moves(
                lines, idempotency_key=f"demo:pos:{day}", document_type="pos_sales", actor=ACTOR, occurred_at=_at_noon(day)
            )


def _write_forecasts(pairs: list[tuple[Item, Location]], history: np.ndarray, today: date) -> int:
    runs = {today - timedelta(days=FORECAST_AGO_DAYS): history[:, : HISTORY_DAYS - FORECAST_AGO_DAYS], today: history}
    forecaster = _champion_forecaster() or baseline_band
    records = []
    for made_on, seen in runs.items():
        band = forecaster(seen, made_on)
        for index, (item, store) in enumerate(pairs):
            for h in range(band.p50.shape[1]):  # a model's own horizon may be shorter
                p10, p50, p90 = sorted(
                    Decimal(str(float(v))).quantize(Q2) for v in (band.p10[index, h], band.p50[index, h], band.p90[index, h])
                )
                records.append(
                    DemandForecast(
                        item=item,
                        location=store,
                        made_on=made_on,
                        forecast_date=made_on + timedelta(days=h),
                        horizon_days=h + 1,
                        p10=max(p10, Decimal("0")),
                        p50=max(p50, Decimal("0")),
                        p90=max(p90, Decimal("0")),
                        model_name=band.model_name,
                        model_version=band.model_version,
                    )
                )
    with transaction.atomic():
        DemandForecast.objects.bulk_create(records, batch_size=2000)
    return len(records)


def baseline_band(history: np.ndarray, made_on: date | None = None) -> Band:
    """ETS point forecasts with split-conformal P10/P90: the baseline is fitted without the last
    HOLDOUT_DAYS, its errors there (relative to each series' level, pooled over series) give the band.
    `history` ends the day before `made_on` (unused: the baseline needs no calendar)."""
    from ml_models.baselines import ets

    fit = history[:, :-HOLDOUT_DAYS]
    holdout = history[:, -HOLDOUT_DAYS:]
    checked = np.stack([ets(row, HOLDOUT_DAYS, SEASON) for row in fit])
    level = np.maximum(fit.mean(axis=1, keepdims=True), 1.0)
    relative_errors = ((holdout - checked) / level).ravel()
    low, high = np.quantile(relative_errors, [0.1, 0.9])
    p50 = np.stack([ets(row, HORIZON_DAYS, SEASON) for row in history])
    scale = np.maximum(history.mean(axis=1, keepdims=True), 1.0)
    return Band(np.maximum(p50 + low * scale, 0.0), p50, p50 + high * scale, "baseline.ets")


def _champion_forecaster() -> Callable[[np.ndarray, date], Band] | None:
    """The tenant's champion, else the core module's base champion, as a forecaster; None without one.

    Looking one up starts MLflow, so it is only tried when the registry store exists (no store, no model)."""
    from ml_models.exceptions import NoChampion

    if not _registry_exists():
        return None
    from ml_models.base_models import BASE_SCHEMA
    from ml_models.tracking import load_champion, registered_model_name

    uri = str(settings.MLFLOW_TRACKING_URI)
    for schema in (connection.schema_name, BASE_SCHEMA):  # type: ignore[attr-defined]
        try:
            loaded = load_champion(registered_model_name(schema, "core"), uri)
        except NoChampion:
            continue
        return lambda seen, made_on: _model_band(loaded, seen, made_on)
    return None


def _registry_exists() -> bool:
    uri = str(settings.MLFLOW_TRACKING_URI)
    if uri.startswith("sqlite:///"):
        return Path(uri.removeprefix("sqlite:///")).exists()
    return True  # a tracking server: ask it


def _model_band(loaded: Any, seen: np.ndarray, made_on: date) -> Band:
    import pandas as pd

    from ml_models.features import DemandPanel
    from ml_models.serving import forecast

    dates = pd.date_range(end=pd.Timestamp(made_on - timedelta(days=1)), periods=seen.shape[1], freq="D")
    panel = DemandPanel([str(i) for i in range(seen.shape[0])], dates, seen.astype(np.float32), "D", {})
    result = forecast(loaded.model, panel)
    horizon = min(HORIZON_DAYS, result.values.shape[1])
    q = [result.quantiles.index(x) for x in (0.1, 0.5, 0.9)]
    p10, p50, p90 = (result.values[:, :horizon, j] for j in q)
    return Band(p10, p50, p90, loaded.name, str(loaded.version))
