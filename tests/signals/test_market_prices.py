"""Market prices: bulk idempotent ingest (service and GraphQL) and the day-over-day move rules read."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.events.models import DomainEvent
from core.inventory.factories import make_item
from core.signals.exceptions import InvalidSignalRow
from core.signals.models import MarketPrice
from core.signals.selectors import price_changes_pct
from core.signals.services import ingest_market_prices

TODAY = date(2026, 11, 25)


def test_ingesting_the_same_prices_twice_stores_them_once_and_replaces_values(in_alpha):
    # given
    copper = make_item("CU-1")
    rows = [
        {"item": "CU-1", "date": "2026-11-24", "price": "70000"},
        {"item_id": copper.pk, "date": "2026-11-25", "price": "72800"},
    ]

    # when
    ingest_market_prices(rows)
    ingest_market_prices([*rows[:1], {**rows[1], "price": "73500"}])

    # then
    assert list(MarketPrice.objects.order_by("date").values_list("price", flat=True)) == [Decimal("70000"), Decimal("73500")]
    events = DomainEvent.objects.filter(event_type="signal.market_price_updated")
    assert events.count() == 2 and events.first().payload["items"] == [copper.pk]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"item": "NOPE", "date": "2026-11-25", "price": "1"}, "unknown item"),
        ({"item": "CU-2", "date": "2026-11-25", "price": "0"}, "above zero"),
        ({"item": "CU-2", "date": "2026-11-25", "price": "abc"}, "number"),
        ({"item": "CU-2", "date": "25/11/2026", "price": "1"}, "YYYY-MM-DD"),
        ({"item": "CU-2", "date": "2026-11-25", "price": "1", "currency": "RMB1"}, "three-letter"),
    ],
)
def test_one_bad_row_stores_nothing(in_alpha, row, message):
    # given
    make_item("CU-2")
    good = {"item": "CU-2", "date": "2026-11-24", "price": "10"}

    # when / then
    with pytest.raises(InvalidSignalRow) as caught:
        ingest_market_prices([good, row])
    assert message in str(caught.value) and "Row 2" in str(caught.value)
    assert not MarketPrice.objects.exists()


def test_the_move_compares_the_two_latest_prices_while_they_are_fresh(in_alpha):
    # given
    up, down, gap, stale, single = (make_item(f"M-{n}") for n in range(5))
    ingest_market_prices(
        [
            {"item_id": up.pk, "date": TODAY - timedelta(days=1), "price": "50"},
            {"item_id": up.pk, "date": TODAY, "price": "52"},
            {"item_id": down.pk, "date": TODAY - timedelta(days=2), "price": "80"},
            {"item_id": down.pk, "date": TODAY - timedelta(days=1), "price": "76"},
            {"item_id": gap.pk, "date": TODAY - timedelta(days=4), "price": "10"},  # over a long weekend
            {"item_id": gap.pk, "date": TODAY, "price": "10.5"},
            {"item_id": stale.pk, "date": TODAY - timedelta(days=3), "price": "10"},
            {"item_id": stale.pk, "date": TODAY - timedelta(days=2), "price": "20"},
            {"item_id": single.pk, "date": TODAY, "price": "9"},
        ]
    )

    # when
    moves = price_changes_pct([up.pk, down.pk, gap.pk, stale.pk, single.pk], TODAY)

    # then
    assert moves == {up.pk: Decimal("4.00"), down.pk: Decimal("-5.00"), gap.pk: Decimal("5.00")}


INGEST = """
mutation($rows: [MarketPriceInput!]!) {
  ingestMarketPrices(rows: $rows) { written errors { field message code } }
}
"""


def _graphql(client, **variables):
    response = client.post("/graphql/", json.dumps({"query": INGEST, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["ingestMarketPrices"]


def test_an_integrator_pushes_prices_over_graphql_and_a_bad_batch_reports_its_row(alpha, beta):
    # given
    with schema_context(alpha.schema):
        make_item("AL-1")
    rows = [{"item": "AL-1", "date": "2026-11-24", "price": "19000"}, {"item": "AL-1", "date": "2026-11-25", "price": "19800"}]

    # when
    first = _graphql(alpha.client(), rows=rows)
    again = _graphql(alpha.client(), rows=rows)
    bad = _graphql(alpha.client(), rows=[{**rows[0], "item": "ZZ-9"}])
    elsewhere = _graphql(beta.client(), rows=rows)  # beta has no AL-1

    # then
    assert first == {"written": 2, "errors": []} and again["written"] == 2
    assert bad["written"] is None and bad["errors"][0]["code"] == "INVALID_ROW"
    assert elsewhere["errors"][0]["code"] == "INVALID_ROW"
    with schema_context(alpha.schema):
        assert MarketPrice.objects.count() == 2
    with schema_context(beta.schema):
        assert not MarketPrice.objects.exists()
