"""The dashboard's reads live in core.planning.dashboard: the web page and GraphQL `inventoryInsights` show the same
figures, thresholds included."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D

from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, receive
from core.partners.services import create_supplier
from core.planning import dashboard
from tenants.accounts.roles import Role
from tests.documents.support import make_po
from tests.planning.factories import make_store_location, source_from, write_forecast
from tests.platform.graphql_support import client_as
from tests.web.support import client_with_role

INSIGHTS = """
{
  inventoryInsights {
    workWaiting { code states count }
    healthScore scoredPairs
    components { code value }
    perLocation { location { code } score }
    stockoutRisks { item { sku } location { code } health { stockoutProbability score } }
    excess { item { sku } }
    expiringStock { item { sku } }
    inTransit { number }
    stockValueByLocation { locationCode value }
    thresholds { stockoutRiskProbability excessListBelow expiryWindowDays listSize }
  }
}
"""


def _insights(client) -> dict:
    response = client.post("/graphql/", json.dumps({"query": INSIGHTS}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["inventoryInsights"]


def _short_store(alpha):
    """A store holding 5 of an item forecast at 10 a day with a 3-day lead time: a stockout risk."""
    with schema_context(alpha.schema):
        item = make_item(sku="RISK-1")
        store = make_store_location(code="S-RISK")
        receive(item, store, 5)
        write_forecast(item, store, timezone.localdate(), 20, "8", "10", "12")
        source_from(item, store, supplier=create_supplier(code="SUP-RISK", name="S", declared_lead_time_days=3))
        make_po([(make_item(sku="OTHER-1"), "4", "2.50")], state="sent")
    return item, store


def test_a_viewer_reads_the_dashboard_figures_over_graphql(alpha):
    # given
    _item, store = _short_store(alpha)
    # when
    insights = _insights(client_as(alpha, Role.VIEWER))
    # then: the risk list names the short item, with the threshold that put it there
    thresholds = insights["thresholds"]
    assert D(thresholds["stockoutRiskProbability"]) == dashboard.STOCKOUT_RISK_PROBABILITY
    assert thresholds["expiryWindowDays"] == dashboard.EXPIRY_WINDOW_DAYS
    [risk] = insights["stockoutRisks"]
    assert (risk["item"]["sku"], risk["location"]["code"]) == ("RISK-1", store.code)
    assert D(risk["health"]["stockoutProbability"]) >= dashboard.STOCKOUT_RISK_PROBABILITY
    # and the work waiting counts the sent purchase order, in the queues' order
    queues = {queue["code"]: queue for queue in insights["workWaiting"]}
    assert [queue["code"] for queue in insights["workWaiting"]] == list(dashboard.WORK_QUEUES)
    assert queues["purchase_orders_awaiting_goods"]["count"] == 1
    assert queues["purchase_orders_awaiting_goods"]["states"] == ["sent", "partially_received"]
    assert queues["purchase_orders_awaiting_approval"]["count"] == 0
    assert insights["scoredPairs"] >= 1 and insights["healthScore"] is not None
    assert {component["code"] for component in insights["components"]} == set(dashboard.WEIGHTS)


def test_the_web_dashboard_and_graphql_show_the_same_index_and_work(alpha):
    # given
    _short_store(alpha)
    # when
    insights = _insights(client_as(alpha, Role.VIEWER))
    html = client_with_role(alpha, Role.VIEWER).get("/").content.decode()
    # then: the page's IHI and its tiles are the figures GraphQL returns
    page_score = re.search(r'id="ihi-score">([^<]*)<', html)
    assert page_score is not None and D(page_score.group(1)) == D(insights["healthScore"])
    awaiting_goods = next(q for q in insights["workWaiting"] if q["code"] == "purchase_orders_awaiting_goods")
    assert "?state=sent" in html and awaiting_goods["count"] == 1
    assert "RISK-1" in html


def test_insights_need_a_session_or_key(alpha):
    # when: no login
    response = alpha.client(login=False).post("/graphql/", json.dumps({"query": INSIGHTS}), content_type="application/json")
    # then
    assert response.status_code in (401, 403) or "errors" in response.json()
