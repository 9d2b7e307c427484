"""Builders for the web page tests: a small stocked tenant and signed-in clients by role."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django_tenants.utils import schema_context

from core.catalog.models import Item
from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.selectors import on_hand
from core.locations.models import Location
from core.partners.models import Customer, Supplier
from core.partners.services import create_customer, create_supplier
from tenants.accounts.roles import Role
from tenants.accounts.services import create_user

PASSWORD = "Sturdy-walnut-93!"


@dataclass
class Shop:
    item: Item
    store: Location
    backroom: Location
    supplier: Supplier
    customer: Customer


def make_shop(schema: str) -> Shop:
    """An item with 20 on hand in a warehouse, a second warehouse, a supplier and a customer."""
    with schema_context(schema):
        item = make_item(f"MILK-{uuid.uuid4().hex[:6]}", name_zh="鲜牛奶 1L", barcodes=[f"69{uuid.uuid4().int % 10**11:011d}"])
        store = make_stock_location()
        backroom = make_stock_location()
        receive(item, store, "20")
        supplier = create_supplier(code=f"SUP-{uuid.uuid4().hex[:6]}", name="华东乳业")
        customer = create_customer(code=f"CUS-{uuid.uuid4().hex[:6]}", name="城西便利店")
        return Shop(item, store, backroom, supplier, customer)


def client_with_role(info: object, role: Role) -> Client:
    """A client signed in on the tenant's host as a new user with `role`."""
    email = f"{role.value}-{uuid.uuid4().hex[:6]}@example.com"
    with schema_context(info.schema):  # type: ignore[attr-defined]
        create_user(email, PASSWORD, role)
    client = Client(HTTP_HOST=info.host)  # type: ignore[attr-defined]
    response = client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def stock(schema: str, item: Item, location: Location) -> Decimal:
    with schema_context(schema):
        return on_hand(item.pk, location.pk)


def form_token(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert match, "the form carries no token"
    return match.group(1)


def messages_in(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", m).strip() for m in re.findall(r'<li class="(?:error|success|info)[^"]*">(.*?)</li>', html, re.S)
    ]
