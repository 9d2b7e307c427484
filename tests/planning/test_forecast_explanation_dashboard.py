"""The dashboard's "why this forecast" panel: the chosen series' explanation as a bar per feature family with its
reference level and P50 total, nothing at all without one, and the same number of queries either way."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.catalog.models import Item
from core.demo import build_core_demo
from core.inventory.factories import make_item, make_stock_location
from core.locations.models import Location
from core.planning.models import ForecastExplanation
from tenants.accounts.roles import Role
from tests.planning.explanation_support import ZH_LABELS, write_explanation, write_run
from tests.web.support import client_with_role


def _json_script(html: str, element_id: str) -> object:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def _forecast_pair(sku: str, p50: str = "10") -> tuple[Item, Location]:
    """An item at a new stock location with today's forecast run (no explanation yet)."""
    item, store = make_item(sku), make_stock_location()
    write_run(item, store, timezone.localdate(), p50)
    return item, store


def test_the_chosen_series_explanation_is_shown_under_the_chart(alpha):
    # given two forecast series, the chosen one explained
    with schema_context(alpha.schema):
        item, store = _forecast_pair("EXPL-1", p50="12")
        other, elsewhere = _forecast_pair("EXPL-2", p50="3")
        write_explanation(item, store, timezone.localdate())
        write_explanation(other, elsewhere, timezone.localdate(), {"lags": -99.0})
    client = client_with_role(alpha, Role.VIEWER)

    # when
    html = client.get("/", {"series": f"{item.pk}:{store.pk}"}).content.decode()

    # then: the panel with a bar per family (translated), the reference and the total in text
    assert 'id="forecast-explanation"' in html and 'id="explain-chart"' in html
    data = _json_script(html, "explain-data")
    assert [bar["label"] for bar in data["bars"]] == ZH_LABELS
    assert [bar["value"] for bar in data["bars"]] == [30.0, -12.0, 8.0, 0.0]
    assert (data["reference"], data["p50_total"]) == (100.0, 126.0)
    assert re.search(r'id="explanation-reference">100[.,]0<', html) and re.search(r'id="explanation-total">126[.,]0<', html)
    assert "为什么是这个预测" in html and "参考水平" in html


def test_a_series_without_explanation_shows_no_panel(alpha):
    # given forecasts written without an explanation (as the demo's baseline forecasts are)
    with schema_context(alpha.schema):
        item, store = _forecast_pair("PLAIN-1")
    client = client_with_role(alpha, Role.VIEWER)
    # when
    html = client.get("/", {"series": f"{item.pk}:{store.pk}"}).content.decode()
    # then: the forecast chart, but no empty explanation chart
    assert 'id="forecast-chart"' in html
    assert 'id="explain-chart"' not in html and 'id="forecast-explanation"' not in html and "explain-data" not in html


def test_demo_baseline_forecasts_have_no_explanation_panel(alpha):
    with schema_context(alpha.schema):
        build_core_demo()
        assert not ForecastExplanation.objects.exists()
    html = alpha.client().get("/").content.decode()
    assert 'id="forecast-chart"' in html and 'id="explain-chart"' not in html


def test_the_panel_costs_the_same_queries_however_many_series_are_explained(alpha):
    # given one explained series, counted; then many more explained series
    client = client_with_role(alpha, Role.VIEWER)
    with schema_context(alpha.schema):
        item, store = _forecast_pair("TOP-1", p50="50")
        write_explanation(item, store, timezone.localdate())
    with CaptureQueriesContext(connection) as few:
        assert 'id="explain-chart"' in client.get("/").content.decode()
    with schema_context(alpha.schema):
        for n in range(15):
            more_item, more_store = _forecast_pair(f"MORE-{n}", p50="5")
            write_explanation(more_item, more_store, timezone.localdate())
            write_run(more_item, more_store, timezone.localdate() - timedelta(days=1), "5")
            write_explanation(more_item, more_store, timezone.localdate() - timedelta(days=1))
    # when
    with CaptureQueriesContext(connection) as many:
        assert 'id="explain-chart"' in client.get("/").content.decode()
    # then
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
