"""The sales, transfer and count APIs: each document's flow through mutations, typed errors, flat query counts."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inventory import selectors
from tenants.accounts.roles import Role
from tests.documents.support import make_customer, make_item, make_stock_location, receive
from tests.platform.graphql_support import client_as, gql


def _data(response, name: str) -> dict:
    body = response.json()
    assert "errors" not in body, body
    return body["data"][name]


def _act(client, mutation: str, order_id: str, field: str = "salesOrder") -> dict:
    query = "mutation($id: ID!) { %s(id: $id) { %s { state blockingReason } errors { field code } } }" % (mutation, field)  # noqa: UP031
    return _data(gql(client, query, {"id": order_id}), mutation)


def test_sales_order_flow_with_a_backorder(alpha):
    # given
    with schema_context(alpha.schema):
        shelf, item, customer = make_stock_location(), make_item(), make_customer(tier="vip")
        receive(item, shelf, "5")
    clerk = client_as(alpha, Role.CLERK)
    created = _data(
        gql(
            clerk,
            'mutation($c: ID!, $s: ID!, $i: ID!) { createSalesOrder(customerId: $c, sourceId: $s, tags: ["vip"],'
            ' lines: [{itemId: $i, quantity: "8", unitPrice: "12"}]) { salesOrder { id total tags } errors { code } } }',
            {"c": customer.pk, "s": shelf.pk, "i": item.pk},
        ),
        "createSalesOrder",
    )
    order_id = created["salesOrder"]["id"]
    # when
    _act(clerk, "confirmSalesOrder", order_id)
    allocated = _act(clerk, "allocateSalesOrder", order_id)
    blocked_pick = _act(clerk, "pickSalesOrder", order_id)
    with schema_context(alpha.schema):
        receive(item, shelf, "10")
    _act(clerk, "allocateSalesOrder", order_id)
    picked = _act(clerk, "pickSalesOrder", order_id)
    shipped = _data(
        gql(
            clerk,
            'mutation($id: ID!) { shipSalesOrder(id: $id, carrier: "SF") { salesOrder { state lines { shippedQuantity } }'
            " shipment { carrier } errors { code } } }",
            {"id": order_id},
        ),
        "shipSalesOrder",
    )
    invalid = _act(clerk, "cancelSalesOrder", order_id)
    # then
    assert created["salesOrder"]["total"] == "96.00" and created["salesOrder"]["tags"] == ["vip"]
    assert allocated["salesOrder"] == {"state": "allocated", "blockingReason": "awaiting_stock"}
    assert blocked_pick["errors"] == [{"field": "state", "code": "NOT_FULLY_ALLOCATED"}]
    assert picked["salesOrder"] == {"state": "picking", "blockingReason": "awaiting_carrier"}
    assert shipped["salesOrder"]["state"] == "shipped" and shipped["shipment"] == {"carrier": "SF"}
    assert invalid["errors"] == [{"field": "state", "code": "INVALID_TRANSITION"}]
    with schema_context(alpha.schema):
        assert selectors.on_hand(item.pk, shelf.pk) == Decimal("7")


def test_transfer_flow_with_a_discrepancy(alpha):
    # given
    with schema_context(alpha.schema):
        warehouse, store, item = make_stock_location(), make_stock_location(), make_item()
        receive(item, warehouse, "30")
    clerk = client_as(alpha, Role.CLERK)
    created = _data(
        gql(
            clerk,
            "mutation($f: ID!, $t: ID!, $i: ID!) { createTransfer(fromLocationId: $f, toLocationId: $t,"
            ' lines: [{itemId: $i, quantity: "12"}])'
            " { transfer { id lines { id } } errors { code } } }",
            {"f": warehouse.pk, "t": store.pk, "i": item.pk},
        ),
        "createTransfer",
    )
    transfer_id, line_id = created["transfer"]["id"], created["transfer"]["lines"][0]["id"]
    # when
    shipped = _data(
        gql(
            clerk,
            'mutation($id: ID!) { shipTransfer(id: $id, carrier: "德邦", eta: "2026-12-01T10:00:00+08:00")'
            " { transfer { state blockingReason transitLocationId } errors { code } } }",
            {"id": transfer_id},
        ),
        "shipTransfer",
    )
    received = _data(
        gql(
            clerk,
            'mutation($id: ID!, $l: ID!) { receiveTransfer(id: $id, lines: [{lineId: $l, quantity: "10", reason: "damaged"}])'
            " { transfer { state lines { receivedQuantity discrepancy { difference reason } } } errors { code } } }",
            {"id": transfer_id, "l": line_id},
        ),
        "receiveTransfer",
    )
    # then
    assert shipped["transfer"]["state"] == "shipped" and shipped["transfer"]["blockingReason"] == "awaiting_carrier"
    assert shipped["transfer"]["transitLocationId"]
    assert received["transfer"]["state"] == "received"
    assert received["transfer"]["lines"][0]["discrepancy"] == {"difference": "2.0000", "reason": "damaged"}
    with schema_context(alpha.schema):
        assert selectors.on_hand(item.pk, store.pk) == Decimal("10")


def test_cycle_count_flow(alpha):
    # given
    with schema_context(alpha.schema):
        shelf, item = make_stock_location(), make_item()
        receive(item, shelf, "9")
    clerk = client_as(alpha, Role.CLERK)
    created = _data(
        gql(
            clerk,
            "mutation($l: ID!) { createCycleCount(locationId: $l) { cycleCount { id lines { id } } errors { code } } }",
            {"l": shelf.pk},
        ),
        "createCycleCount",
    )
    count_id, line_id = created["cycleCount"]["id"], created["cycleCount"]["lines"][0]["id"]
    # when
    not_started = _data(
        gql(clerk, 'mutation($l: ID!) { recordCount(lineId: $l, countedQuantity: "7") { errors { code } } }', {"l": line_id}),
        "recordCount",
    )
    _act(clerk, "startCycleCount", count_id, "cycleCount")
    counted = _data(
        gql(
            clerk,
            'mutation($l: ID!) { recordCount(lineId: $l, countedQuantity: "7", reason: "expiry")'
            " { line { systemQuantity countedQuantity difference } errors { code } } }",
            {"l": line_id},
        ),
        "recordCount",
    )
    completed = _data(
        gql(
            clerk,
            "mutation($id: ID!) { completeCycleCount(id: $id) { cycleCount { state recordAccuracy } errors { code } } }",
            {"id": count_id},
        ),
        "completeCycleCount",
    )
    # then
    assert not_started["errors"] == [{"code": "INVALID_TRANSITION"}]
    assert {key: Decimal(value) for key, value in counted["line"].items()} == {
        "systemQuantity": Decimal("9"),
        "countedQuantity": Decimal("7"),
        "difference": Decimal("-2"),
    }
    assert completed["cycleCount"] == {"state": "completed", "recordAccuracy": "0.0000"}
    with schema_context(alpha.schema):
        assert selectors.on_hand(item.pk, shelf.pk) == Decimal("7")


def test_document_lists_keep_a_flat_query_count(alpha):
    # given: 12 of each document, so the loaders have something to batch
    with schema_context(alpha.schema):
        from core.counts.services import create_cycle_count
        from core.logistics.services import TransferLineInput, create_transfer
        from tests.documents.support import make_so

        shelf, other, item = make_stock_location(), make_stock_location(), make_item()
        customer = make_customer()
        for _ in range(12):
            make_so([(item, "1")], source=shelf, customer=customer)
            create_transfer(from_location=shelf, to_location=other, lines=[TransferLineInput(item.pk, Decimal("1"))], actor="t")
            create_cycle_count(location=shelf, actor="t", item_ids=[item.pk])
    viewer = client_as(alpha, Role.VIEWER)
    query = (
        "query($n: Int!) {"
        " salesOrders(first: $n) { edges { node { number customer { code } blockingReason"
        " lines { item { sku } backorderedQuantity } } } }"
        " transfers(first: $n) { edges { node { number fromLocationCode lines { sku discrepancy { reason } } } } }"
        " cycleCounts(first: $n) { edges { node { number locationCode recordAccuracy lines { sku } } } } }"
    )
    gql(viewer, query, {"n": 1})
    # when
    with CaptureQueriesContext(connection) as one_row:
        gql(viewer, query, {"n": 1})
    with CaptureQueriesContext(connection) as twelve_rows:
        result = gql(viewer, query, {"n": 12}).json()
    # then
    assert "errors" not in result, result
    assert len(result["data"]["salesOrders"]["edges"]) == 12
    assert len(result["data"]["transfers"]["edges"]) == 12
    assert len(result["data"]["cycleCounts"]["edges"]) == 12
    assert len(twelve_rows.captured_queries) == len(one_row.captured_queries)
