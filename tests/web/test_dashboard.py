"""The dashboard: inventory health, risk lists, in transit and the forecast chart, on demo data and on a new
tenant; the chart's figures are checked against forecasts and sales written here."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.demo import build_core_demo
from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.services import MoveLine, post_moves
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from core.planning.models import DemandForecast
from tenants.accounts.roles import Role
from tests.web.support import client_with_role


def _json_script(html: str, element_id: str) -> object:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def test_empty_tenant_dashboard_shows_empty_states(alpha):
    # given a tenant with no stock and no forecasts
    client = client_with_role(alpha, Role.VIEWER)
    # when
    html = client.get("/").content.decode()
    # then
    assert 'id="ihi-empty"' in html and 'id="forecast-empty"' in html
    assert 'id="forecast-chart"' not in html
    assert "没有即将缺货的商品" in html or "Nothing is likely to run out" in html


def test_demo_tenant_dashboard_shows_health_risks_transit_and_chart(alpha):
    # given the demo data
    with schema_context(alpha.schema):
        started = time.perf_counter()
        build_core_demo()
        print(f"demo data built in {time.perf_counter() - started:.2f} s")
        forecasts = DemandForecast.objects.count()
    assert forecasts > 0
    # when
    client = alpha.client()
    html = client.get("/").content.decode()
    # then
    assert 'id="ihi-score"' in html
    assert 'id="forecast-chart"' in html and 'id="health-chart"' in html
    assert "/static/web/vendor/chartjs/chart.umd.min.js" in html
    data = _json_script(html, "forecast-data")
    assert any(v is not None for v in data["actual"]) and any(v is not None for v in data["p50"])
    assert "SF1234567890" not in html  # the transit list shows the transfer number, not tracking
    assert re.search(r'id="in-transit".*?TR', html, re.S) or "在途" in html
    assert 'id="stockout-risks"' in html and "<table>" in html.split('id="stockout-risks"')[1].split("</section>")[0]


def test_chart_data_matches_forecasts_and_sales(alpha):
    # given one item at one store with two forecast runs and three days of sales
    today = timezone.localdate()
    with schema_context(alpha.schema):
        item = make_item("CHART-1")
        store = make_stock_location()
        receive(item, store, "100")
        customer = get_virtual_location(LocationKind.CUSTOMER)
        sold = {today - timedelta(days=3): Decimal("4"), today - timedelta(days=1): Decimal("7"), today: Decimal("2")}
        for day, quantity in sold.items():
            at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=10)
            post_moves([MoveLine(item.pk, store.pk, customer.pk, quantity)], idempotency_key=f"t:{day}", occurred_at=at)
        early, late = today - timedelta(days=5), today - timedelta(days=2)
        for made_on, p50 in ((early, Decimal("5")), (late, Decimal("6"))):
            for h in range(8):
                DemandForecast.objects.create(
                    item=item,
                    location=store,
                    made_on=made_on,
                    forecast_date=made_on + timedelta(days=h),
                    horizon_days=h + 1,
                    p10=p50 - 2,
                    p50=p50,
                    p90=p50 + 3,
                    model_name="test",
                )
    client = client_with_role(alpha, Role.VIEWER)
    # when
    data = client.get("/dashboard/forecast.json", {"series": f"{item.pk}:{store.pk}"}).json()
    # then: each day carries the latest run made on or before it; actuals are the day's sales, 0 without any
    by_day = dict(zip(data["labels"], zip(data["p10"], data["p50"], data["p90"], data["actual"], strict=True), strict=True))
    assert by_day[str(early + timedelta(days=1))] == (3.0, 5.0, 8.0, 0.0)
    assert by_day[str(today - timedelta(days=3))] == (3.0, 5.0, 8.0, 4.0)  # before the later run was made
    assert by_day[str(late)] == (4.0, 6.0, 9.0, 0.0)
    assert by_day[str(today - timedelta(days=1))][3] == 7.0
    assert by_day[str(today)] == (4.0, 6.0, 9.0, 2.0)
    assert by_day[str(late + timedelta(days=8))] == (None, None, None, None)
    assert by_day[str(early - timedelta(days=1))][:3] == (None, None, None)
    assert data["models"] == ["test"]


def test_chart_rejects_a_pair_without_forecasts(alpha):
    client = client_with_role(alpha, Role.VIEWER)
    assert client.get("/dashboard/forecast.json", {"series": "999999:1"}).status_code == 404


def test_dashboard_queries_do_not_grow_with_data(alpha):
    # given a few stocked items, counted; then many more
    client = alpha.client()

    def stock(n: int) -> None:
        with schema_context(alpha.schema):
            location = make_stock_location()
            for _ in range(n):
                receive(make_item(), location, "5", unit_cost="2")

    stock(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    stock(20)
    # when
    with CaptureQueriesContext(connection) as many:
        assert client.get("/").status_code == 200
    # then
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_static_chart_library_is_found_and_served(alpha):
    # collectstatic finds the vendored file (production: WhiteNoise serves STATIC_ROOT) ...
    assert finders.find("web/vendor/chartjs/chart.umd.min.js")
    # ... and WhiteNoise serves it straight from the app when it uses the finders (as under DEBUG)
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client(HTTP_HOST=alpha.host).get("/static/web/vendor/chartjs/chart.umd.min.js")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Chart.js v4" in body
