"""The purchasing API: a whole order through mutations, typed errors, roles, and a flat query count per page."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.catalog.models import Unit
from core.inventory import selectors
from core.purchasing.models import PurchaseOrder, PurchaseOrderLine
from core.purchasing.services import update_purchasing_settings
from tenants.accounts.roles import Role
from tests.documents.support import make_item, make_stock_location, make_supplier
from tests.platform.graphql_support import client_as, gql

ORDER_FIELDS = (
    "id number state total blockingReason supplier { code } destination { code }"
    " lines { id sku quantity receivedQuantity openQuantity unitCode item { sku lotTracked } unit { code } }"
)


def _data(response, name: str) -> dict:
    body = response.json()
    assert "errors" not in body, body
    return body["data"][name]


def test_a_whole_purchase_order_through_mutations(alpha):
    # given
    with schema_context(alpha.schema):
        update_purchasing_settings(approval_threshold=Decimal("100"))
        supplier, shelf = make_supplier(), make_stock_location()
        rice, milk = make_item(), make_item(lot_tracked=True, shelf_life_days=10)
    clerk, manager = client_as(alpha, Role.CLERK), client_as(alpha, Role.MANAGER)
    create = (
        "mutation($supplier: ID!, $dest: ID!, $lines: [PurchaseOrderLineInput!]!) {"
        " createPurchaseOrder(supplierId: $supplier, destinationId: $dest, lines: $lines, urgent: true) {"
        " purchaseOrder { " + ORDER_FIELDS + " } errors { field message code } } }"
    )
    lines = [
        {"itemId": str(rice.pk), "quantity": "50", "unitPrice": "4.20"},
        {"itemId": str(milk.pk), "quantity": "12", "unitPrice": "6.50"},
    ]
    # when: the clerk creates and submits; the total is over the threshold, so a manager approves
    order = _data(gql(clerk, create, {"supplier": supplier.pk, "dest": shelf.pk, "lines": lines}), "createPurchaseOrder")
    po_id = order["purchaseOrder"]["id"]
    submitted = _data(
        gql(
            clerk,
            "mutation($id: ID!) { submitPurchaseOrder(id: $id) { purchaseOrder { state blockingReason } errors { code } } }",
            {"id": po_id},
        ),
        "submitPurchaseOrder",
    )
    refused = _data(
        gql(
            clerk,
            "mutation($id: ID!) { approvePurchaseOrder(id: $id) { purchaseOrder { state } errors { code } } }",
            {"id": po_id},
        ),
        "approvePurchaseOrder",
    )
    approved = _data(
        gql(
            manager,
            "mutation($id: ID!) { approvePurchaseOrder(id: $id) { purchaseOrder { state } errors { code } } }",
            {"id": po_id},
        ),
        "approvePurchaseOrder",
    )
    sent = _data(
        gql(
            clerk,
            "mutation($id: ID!) { sendPurchaseOrder(id: $id) { purchaseOrder { state sentAt } errors { code } } }",
            {"id": po_id},
        ),
        "sendPurchaseOrder",
    )
    rice_line, milk_line = (line["id"] for line in order["purchaseOrder"]["lines"])
    receive = """mutation($id: ID!, $ref: String, $lines: [ReceiptLineInput!]!) {
      receivePurchaseOrder(id: $id, reference: $ref, lines: $lines) {
        purchaseOrder { state lines { receivedQuantity } } receipt { reference lines { lotCode expiryDate } }
        errors { field code } } }"""
    first = _data(
        gql(clerk, receive, {"id": po_id, "ref": "dn-001", "lines": [{"lineId": rice_line, "quantity": "20"}]}),
        "receivePurchaseOrder",
    )
    second = _data(
        gql(
            clerk,
            receive,
            {
                "id": po_id,
                "ref": "dn-002",
                "lines": [
                    {"lineId": rice_line, "quantity": "30"},
                    {"lineId": milk_line, "quantity": "12", "lotCode": "M-1125", "expiryDate": "2026-12-05"},
                ],
            },
        ),
        "receivePurchaseOrder",
    )
    # then
    assert order["errors"] == [] and order["purchaseOrder"]["state"] == "draft"
    assert order["purchaseOrder"]["total"] == "288.00"
    assert submitted["purchaseOrder"] == {"state": "submitted", "blockingReason": "awaiting_approval"}
    assert refused["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert approved == {"purchaseOrder": {"state": "approved"}, "errors": []}
    assert sent["purchaseOrder"]["state"] == "sent" and sent["purchaseOrder"]["sentAt"]
    assert first["purchaseOrder"]["state"] == "partially_received"
    assert second["purchaseOrder"]["state"] == "received"
    assert second["receipt"]["lines"][1] == {"lotCode": "M-1125", "expiryDate": "2026-12-05"}
    with schema_context(alpha.schema):
        assert selectors.on_hand(rice.pk, shelf.pk) == Decimal("50")
        assert selectors.on_hand(milk.pk, shelf.pk) == Decimal("12")


def test_an_invalid_transition_is_a_typed_error(alpha):
    # given
    with schema_context(alpha.schema):
        po = _bulk_orders(1, lines_each=1)[0]
    clerk = client_as(alpha, Role.CLERK)
    # when
    response = gql(
        clerk,
        "mutation($id: ID!) { sendPurchaseOrder(id: $id) { purchaseOrder { state } errors { field message code } } }",
        {"id": po.pk},
    )
    # then
    result = _data(response, "sendPurchaseOrder")
    assert result["purchaseOrder"] is None
    assert result["errors"][0]["code"] == "INVALID_TRANSITION"
    assert result["errors"][0]["field"] == "state"
    assert "draft" in result["errors"][0]["message"]


def test_over_receipt_is_a_typed_error(alpha):
    # given
    with schema_context(alpha.schema):
        po = _bulk_orders(1, lines_each=1, state="sent")[0]
        line = po.lines.get()
    clerk = client_as(alpha, Role.CLERK)
    # when
    response = gql(
        clerk,
        "mutation($id: ID!, $l: ID!) {"
        ' receivePurchaseOrder(id: $id, lines: [{lineId: $l, quantity: "999"}]) { errors { field code } } }',
        {"id": po.pk, "l": line.pk},
    )
    # then
    assert _data(response, "receivePurchaseOrder")["errors"] == [{"field": "lines", "code": "OVER_RECEIPT"}]


def _bulk_orders(count: int, *, lines_each: int = 3, state: str = "draft") -> list[PurchaseOrder]:
    supplier, shelf = make_supplier(), make_stock_location()
    items = [make_item() for _ in range(lines_each)]
    unit = Unit.objects.get(pk=items[0].base_unit_id)
    orders = PurchaseOrder.objects.bulk_create(
        PurchaseOrder(number=f"BULK-{supplier.pk}-{n}", supplier=supplier, destination=shelf, state=state) for n in range(count)
    )
    PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(purchase_order=po, item=item, unit=unit, quantity=Decimal("10"), unit_price=Decimal("2"))
        for po in orders
        for item in items
    )
    return orders


def test_query_count_does_not_grow_with_the_page_size(alpha):
    # given
    with schema_context(alpha.schema):
        _bulk_orders(100, lines_each=3)
    viewer = client_as(alpha, Role.VIEWER)
    query = (
        "query($n: Int!) { purchaseOrders(first: $n, orderBy: CREATED_DESC) { totalCount edges { node { "
        + ORDER_FIELDS
        + " supplierName destinationCode } } } }"
    )
    gql(viewer, query, {"n": 1})  # warm the session and entitlement caches alike for both runs
    # when
    with CaptureQueriesContext(connection) as one_row:
        small = gql(viewer, query, {"n": 1}).json()
    with CaptureQueriesContext(connection) as hundred_rows:
        large = gql(viewer, query, {"n": 100}).json()
    # then
    assert "errors" not in large, large
    assert len(small["data"]["purchaseOrders"]["edges"]) == 1
    assert len(large["data"]["purchaseOrders"]["edges"]) == 100
    assert all(len(edge["node"]["lines"]) == 3 for edge in large["data"]["purchaseOrders"]["edges"])
    assert len(hundred_rows.captured_queries) == len(one_row.captured_queries)


def test_orders_filter_by_state_and_supplier(alpha):
    # given
    with schema_context(alpha.schema):
        drafts = _bulk_orders(3, lines_each=1)
        _bulk_orders(2, lines_each=1, state="sent")
    viewer = client_as(alpha, Role.VIEWER)
    # when
    response = gql(
        viewer,
        'query($s: ID) { purchaseOrders(states: ["draft"], supplierId: $s) { totalCount edges { node { number state } } } }',
        {"s": drafts[0].supplier_id},
    )
    # then
    result = _data(response, "purchaseOrders")
    assert result["totalCount"] == 3
    assert {edge["node"]["state"] for edge in result["edges"]} == {"draft"}
