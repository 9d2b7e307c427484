"""forecastExplanation over GraphQL: the latest explanation of an item × location with translated family names,
null without one, and only ever the caller's own tenant's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location
from tenants.accounts.roles import Role
from tests.planning.explanation_support import ZH_LABELS, write_explained_run, write_run
from tests.platform.graphql_support import client_as, gql

EXPLAIN = """
query($item: ID!, $location: ID!) {
  forecastExplanation(itemId: $item, locationId: $location) {
    madeOn modelName modelVersion horizonDays reference p50Total contributions { family label value }
  }
}
"""


def _explanation(client: Client, item_id: int, location_id: int, **extra: object) -> dict | None:
    response = gql(client, EXPLAIN, {"item": str(item_id), "location": str(location_id)}, **extra)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["forecastExplanation"]


def test_viewer_reads_the_latest_explanation_with_family_names_in_their_language(alpha):
    # given two runs explained, the older one with other figures
    today = timezone.localdate()
    with schema_context(alpha.schema):
        item, store = make_item(), make_stock_location()
        write_explained_run(item, store, today - timedelta(days=1), contributions={"lags": 1.0}, reference="5")
        write_explained_run(item, store, today)
    client = client_as(alpha, Role.VIEWER)

    # when
    chinese = _explanation(client, item.pk, store.pk)
    english = gql(client, EXPLAIN, {"item": str(item.pk), "location": str(store.pk)}, QUERY_STRING="lang=en").json()

    # then: the newest run, families in reading order, reference + Σ contributions = P50 total
    assert chinese["madeOn"] == today.isoformat() and chinese["horizonDays"] == 28
    assert (chinese["modelName"], chinese["modelVersion"]) == ("alpha.core.demand", "3")
    assert [c["family"] for c in chinese["contributions"]] == ["lags", "calendar", "price_promo", "signals"]
    assert [c["label"] for c in chinese["contributions"]] == ZH_LABELS
    explained = Decimal(chinese["reference"]) + sum(Decimal(c["value"]) for c in chinese["contributions"])
    assert explained == Decimal(chinese["p50Total"])
    assert Decimal(chinese["p50Total"]) == Decimal("126")
    labels = [c["label"] for c in english["data"]["forecastExplanation"]["contributions"]]
    assert labels == ["Recent demand (lags)", "Calendar & holidays", "Price & promotion", "Signals: weather / delivery demand"]


def test_a_forecast_without_explanation_reads_null(alpha):
    with schema_context(alpha.schema):
        item, store = make_item(), make_stock_location()
        write_run(item, store, timezone.localdate())
    client = client_as(alpha, Role.VIEWER)
    assert _explanation(client, item.pk, store.pk) is None
    assert _explanation(client, "not-an-id", store.pk) is None  # type: ignore[arg-type]


def test_another_tenant_cannot_read_an_explanation_by_its_ids(alpha, beta):
    # given an explanation in alpha
    with schema_context(alpha.schema):
        item, store = make_item(), make_stock_location()
        write_explained_run(item, store, timezone.localdate())

    # when beta asks for alpha's ids
    seen_by_beta = _explanation(client_as(beta, Role.OWNER), item.pk, store.pk)

    # then
    assert seen_by_beta is None
    assert _explanation(client_as(alpha, Role.OWNER), item.pk, store.pk) is not None


def test_signed_out_callers_are_refused(alpha):
    with schema_context(alpha.schema):
        item, store = make_item(), make_stock_location()
        write_explained_run(item, store, timezone.localdate())
    body = gql(Client(HTTP_HOST=alpha.host), EXPLAIN, {"item": str(item.pk), "location": str(store.pk)}).json()
    assert body.get("errors") and not (body.get("data") or {}).get("forecastExplanation")


def test_an_older_runs_explanation_is_not_passed_off_as_the_latest_runs(alpha):
    # given yesterday's run explained and today's run (the one forecasts() returns) not
    today = timezone.localdate()
    with schema_context(alpha.schema):
        item, store = make_item(), make_stock_location()
        write_explained_run(item, store, today - timedelta(days=1))
        write_run(item, store, today)
    # when / then
    assert _explanation(client_as(alpha, Role.VIEWER), item.pk, store.pk) is None
