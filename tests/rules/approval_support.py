"""Builders for the approvals tests: the core pack, a large purchase order, people by role, GraphQL calls."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from core.partners.services import create_supplier
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import OrderLineInput, create_purchase_order
from core.rules.packs import load_rule_pack
from tenants.accounts.roles import Role
from tenants.accounts.services import create_user
from tests.documents.support import make_item, make_stock_location
from tests.web.support import PASSWORD

SUBMIT = """mutation($id: ID!) { submitPurchaseOrder(id: $id) { purchaseOrder { state } errors { field message code } } }"""
DECIDE = """mutation($id: ID!, $approve: Boolean!, $note: String) {
  decideApproval(id: $id, approve: $approve, note: $note) {
    approvalRequest { id status decidedBy decisionNote } retried retryError { code message } errors { field message code }
  }
}"""


def large_purchase(schema: str, units: int = 60) -> PurchaseOrder:
    """A non-urgent purchase of `units` × 1,000 (60,000 by default: the core pack's board approval applies)."""
    with schema_context(schema):
        load_rule_pack("core")
        steel = make_item(f"STEEL-{uuid.uuid4().hex[:6]}")
        return create_purchase_order(
            supplier=create_supplier(code=f"SUP-{uuid.uuid4().hex[:6]}", name="钢材供应商"),
            destination=make_stock_location(),
            lines=[OrderLineInput(item_id=steel.pk, quantity=Decimal(units), unit_price=Decimal("1000"))],
            actor="buyer@example.com",
        )


def person(info: Any, role: Role) -> tuple[Client, str]:
    """A client signed in on the tenant's host as a new person with `role`, and that person's email."""
    email = f"{role.value}-{uuid.uuid4().hex[:6]}@example.com"
    with schema_context(info.schema):
        create_user(email, PASSWORD, role)
    client = Client(HTTP_HOST=info.host)
    assert client.post("/login/", {"username": email, "password": PASSWORD}).status_code == 302
    return client, email


def gql(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
