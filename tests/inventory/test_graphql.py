"""The ledger and master data over GraphQL: pages with constant query counts, typed errors, mutations."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.services import MoveLine, post_moves
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location

STOCK_PAGE = """
query($first: Int!, $location: ID) {
  stockLevels(first: $first, locationId: $location) {
    totalCount
    edges { node { onHand reserved available item { sku baseUnit { code } category { name } }
                   location { code warehouse { code } } lot { code } } }
  }
}
"""


def _graphql(client, query: str, **variables):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_hundred_row_stock_page_costs_the_same_queries_as_one_row(alpha):
    # given 100 items on one shelf
    client = alpha.client()
    with schema_context(alpha.schema):
        shelf = make_stock_location()
        supplier = get_virtual_location(LocationKind.SUPPLIER)
        lines = [MoveLine(make_item().pk, supplier.pk, shelf.pk, Decimal("3"), unit_cost=Decimal("1")) for _ in range(100)]
        post_moves(lines, idempotency_key="opening-stock")
    _graphql(client, STOCK_PAGE, first=1, location=str(shelf.pk))  # warm the per-tenant entitlement cache
    # when
    with CaptureQueriesContext(connection) as one_row:
        small = _graphql(client, STOCK_PAGE, first=1, location=str(shelf.pk))
    with CaptureQueriesContext(connection) as hundred_rows:
        large = _graphql(client, STOCK_PAGE, first=100, location=str(shelf.pk))
    # then
    assert len(small["stockLevels"]["edges"]) == 1
    assert len(large["stockLevels"]["edges"]) == 100
    assert large["stockLevels"]["totalCount"] == 100
    assert len(hundred_rows.captured_queries) == len(one_row.captured_queries)


def test_create_item_then_find_it_by_sku(alpha):
    # given
    client = alpha.client()
    # when
    created = _graphql(
        client,
        """mutation { createItem(input: {sku: "RICE-5KG", nameZh: "大米 5kg", baseUnitCode: "bag", lotTracked: true,
             removalStrategy: FEFO, packSize: "10"}) {
             item { sku lotTracked removalStrategy baseUnit { code } } errors { code } } }""",
    )
    duplicate = _graphql(
        client, 'mutation { createItem(input: {sku: "RICE-5KG", nameZh: "x"}) { item { sku } errors { field code } } }'
    )
    found = _graphql(client, 'query { items(first: 5, sku: "RICE-5KG") { edges { node { nameZh packSize } } } }')
    # then
    assert created["createItem"]["item"] == {
        "sku": "RICE-5KG",
        "lotTracked": True,
        "removalStrategy": "FEFO",
        "baseUnit": {"code": "bag"},
    }
    assert duplicate["createItem"]["errors"] == [{"field": "sku", "code": "DUPLICATE_SKU"}]
    assert found["items"]["edges"][0]["node"]["nameZh"] == "大米 5kg"


def test_adjustment_below_zero_is_a_typed_error_and_position_is_served(alpha):
    # given
    client = alpha.client()
    with schema_context(alpha.schema):
        item, shelf = make_item(), make_stock_location()
        receive(item, shelf, "4")
    # when
    adjust = """mutation($item: ID!, $location: ID!, $quantity: Decimal!) {
      adjustStock(itemId: $item, locationId: $location, quantity: $quantity, reason: "broken") {
        posting { documentType actor } errors { field code } } }"""
    refused = _graphql(client, adjust, item=str(item.pk), location=str(shelf.pk), quantity="-5")
    booked = _graphql(client, adjust, item=str(item.pk), location=str(shelf.pk), quantity="-1")
    position = _graphql(client, f'query {{ inventoryPosition(itemId: "{item.pk}", locationId: "{shelf.pk}") }}')
    # then
    assert refused["adjustStock"] == {"posting": None, "errors": [{"field": "lines.0.quantity", "code": "INSUFFICIENT_STOCK"}]}
    assert booked["adjustStock"] == {"posting": {"documentType": "adjustment", "actor": alpha.owner_email}, "errors": []}
    assert Decimal(position["inventoryPosition"]) == Decimal("3")


def test_master_data_mutations_create_partners_and_warehouses(alpha):
    # given
    client = alpha.client()
    # when
    data = _graphql(
        client,
        """mutation {
          s: createSupplier(code: "SUP-1", name: "粮油供应商", declaredLeadTimeDays: 5) { supplier { code } errors { code } }
          c: createCustomer(code: "C-1", name: "张三超市", tier: "vip", tags: ["chain"]) {
            customer { code tier tags } errors { code } }
          w: createWarehouse(code: "WH-SH", name: "上海仓") { warehouse { code } stockLocation { code kind } errors { code } }
        }""",
    )
    listed = _graphql(
        client, 'query { locations(first: 10, search: "WH-SH") { totalCount edges { node { code warehouse { code } } } } }'
    )
    # then
    assert data["s"]["supplier"] == {"code": "SUP-1"}
    assert data["c"]["customer"] == {"code": "C-1", "tier": "VIP", "tags": ["chain"]}
    assert data["w"]["stockLocation"] == {"code": "WH-SH/stock", "kind": "INTERNAL"}
    assert listed["locations"]["edges"][0]["node"]["warehouse"] == {"code": "WH-SH"}
