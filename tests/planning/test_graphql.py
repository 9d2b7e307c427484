"""Planning over GraphQL: a manager runs replenishment and approves it; the band and the health index read back."""

from __future__ import annotations

import json
from decimal import Decimal as D

from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, receive
from core.partners.services import create_supplier
from core.planning.models import ReplenishmentRun
from core.purchasing.models import PurchaseOrder
from tenants.accounts.roles import Role
from tests.planning.factories import make_store_location, source_from, write_forecast
from tests.platform.graphql_support import client_as

RUN = """
mutation($locations: [ID!]) {
  runReplenishment(locationIds: $locations, runKey: "gql-run") {
    errors { field message code }
    run { proposalsCreated }
    proposals { id quantity state reorderPoint inventoryPosition item { sku } }
  }
}
"""
APPROVE = """
mutation($ids: [ID!]!) {
  approveProposals(ids: $ids) { errors { field message code } proposals { state documentType documentId } }
}
"""
READ = """
query($item: ID!, $location: ID!) {
  replenishmentProposals(first: 10, locationId: $location) { totalCount edges { node { state } } }
  forecasts(itemId: $item, locationId: $location) { forecastDate p10 p50 p90 }
  inventoryHealth(locationId: $location) {
    score items { itemId score components { cover stockout excessAgeing expiry accuracy } }
  }
}
"""


def _graphql(client, query: str, **variables):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_manager_runs_and_approves_replenishment_over_graphql(alpha):
    # given: a store with 5 on hand of an item forecast at 10 a day
    client = alpha.client()
    with schema_context(alpha.schema):
        today = timezone.localdate()
        item = make_item()
        store = make_store_location()
        receive(item, store, 5)
        write_forecast(item, store, today, 20, "8", "10", "12")
        source_from(item, store, supplier=create_supplier(code="SUP-GQL", name="S", declared_lead_time_days=3))

    # when
    run = _graphql(client, RUN, locations=[str(store.pk)])["runReplenishment"]
    approved = _graphql(client, APPROVE, ids=[p["id"] for p in run["proposals"]])["approveProposals"]
    read = _graphql(client, READ, item=str(item.pk), location=str(store.pk))

    # then
    assert run["errors"] == [] and run["run"]["proposalsCreated"] == 1
    assert D(run["proposals"][0]["inventoryPosition"]) == D("5")
    assert approved["errors"] == []
    assert approved["proposals"][0]["state"] == "ordered"
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=approved["proposals"][0]["documentId"]).destination_id == store.pk
    assert read["replenishmentProposals"]["totalCount"] == 1
    assert len(read["forecasts"]) == 20 and read["forecasts"][0]["p90"] == "12.0000"
    [health] = read["inventoryHealth"]["items"]
    assert D(health["components"]["cover"]) < 100
    assert read["inventoryHealth"]["score"] == health["score"]


def test_approving_an_unknown_proposal_is_a_typed_error(alpha):
    # when
    result = _graphql(alpha.client(), APPROVE, ids=["999999"])["approveProposals"]

    # then
    assert result["errors"][0]["code"] == "UNKNOWN_PROPOSAL"


def test_a_clerk_cannot_run_replenishment(alpha):
    # given
    clerk = client_as(alpha, Role.CLERK)

    # when
    result = _graphql(clerk, RUN, locations=None)["runReplenishment"]

    # then: refused with a typed error, and no run was recorded
    assert result["run"] is None
    assert result["errors"][0]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema):
        assert not ReplenishmentRun.objects.filter(run_key="gql-run").exists()
