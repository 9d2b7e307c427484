"""Signals over GraphQL: an integrator pushes weather and delivery demand; freshness reads back."""

from __future__ import annotations

import json

from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_stock_location
from core.signals.models import WeatherDay

INGEST = """
mutation($weather: [WeatherInput!]!, $demand: [DeliveryDemandInput!]!) {
  ingestWeather(rows: $weather) { written errors { field message code } }
  ingestDeliveryDemand(rows: $demand) { written errors { field message code } }
}
"""
FRESHNESS = "{ signalFreshness { name lastUpdated ageSeconds } }"


def _graphql(client, query: str, **variables):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_integrator_pushes_signals_and_sees_them_fresh(alpha):
    # given
    client = alpha.client()
    with schema_context(alpha.schema):
        store = make_stock_location()
    weather = [{"location": store.code, "date": "2026-11-30", "precipitationProbability": "0.7", "temperatureC": "3"}]
    demand = [{"platform": "meituan", "area": "静安", "observedAt": timezone.now().isoformat(), "value": "88"}]

    # when
    ingested = _graphql(client, INGEST, weather=weather, demand=demand)
    bad = _graphql(client, INGEST, weather=[{**weather[0], "location": "NOPE"}], demand=demand)
    fresh = {row["name"]: row for row in _graphql(client, FRESHNESS)["signalFreshness"]}

    # then
    assert ingested["ingestWeather"] == {"written": 1, "errors": []}
    assert ingested["ingestDeliveryDemand"] == {"written": 1, "errors": []}
    assert bad["ingestWeather"]["errors"][0]["code"] == "INVALID_ROW"
    assert fresh["weather"]["ageSeconds"] < 60 and fresh["delivery_demand"]["ageSeconds"] < 60
    with schema_context(alpha.schema):
        assert WeatherDay.objects.get(location=store).source == "api"
