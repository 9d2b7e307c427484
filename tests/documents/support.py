"""Builders for the document tests: partners, orders in a given state, users by role."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from core.access import Actor
from core.inventory.factories import make_item, make_stock_location, receive
from core.partners.models import Customer, Supplier
from core.partners.services import create_customer, create_supplier
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import (
    OrderLineInput,
    approve_purchase_order,
    create_purchase_order,
    send_purchase_order,
    submit_purchase_order,
    update_purchasing_settings,
)
from core.sales.models import SalesOrder
from core.sales.services import SalesLineInput, create_sales_order
from tenants.accounts.models import User
from tenants.accounts.roles import Role
from tenants.accounts.services import create_user

__all__ = ["make_item", "make_stock_location", "receive"]

CLERK = "clerk@example.com"


def make_supplier(**fields: Any) -> Supplier:
    fields.setdefault("code", f"SUP-{uuid.uuid4().hex[:6]}")
    fields.setdefault("name", "华东食品供应")
    return create_supplier(**fields)


def make_customer(**fields: Any) -> Customer:
    fields.setdefault("code", f"CUS-{uuid.uuid4().hex[:6]}")
    fields.setdefault("name", "城西便利店")
    return create_customer(**fields)


def actor_with_role(role: Role) -> Actor:
    user: User = create_user(f"{role.value}-{uuid.uuid4().hex[:6]}@example.com", "Sturdy-walnut-93!", role)
    return Actor(user=user)


def make_po(
    lines: list[tuple[Any, str, str]], *, destination: Any = None, supplier: Supplier | None = None, state: str = "draft"
) -> PurchaseOrder:
    """A purchase order for (item, quantity, unit_price) lines, walked forward to `state` (draft/approved/sent)."""
    update_purchasing_settings(approval_threshold=Decimal("1000000"))
    po = create_purchase_order(
        supplier=supplier or make_supplier(),
        destination=destination or make_stock_location(),
        lines=[OrderLineInput(item_id=item.pk, quantity=Decimal(q), unit_price=Decimal(p)) for item, q, p in lines],
        actor=CLERK,
    )
    if state in ("approved", "sent"):
        submit_purchase_order(po, actor=CLERK)
        if po.state == "submitted":
            approve_purchase_order(po, actor="system")
    if state == "sent":
        send_purchase_order(po, actor=CLERK)
    return po


def make_so(lines: list[tuple[Any, str]], *, source: Any, customer: Customer | None = None) -> SalesOrder:
    return create_sales_order(
        customer=customer or make_customer(),
        source=source,
        lines=[SalesLineInput(item_id=item.pk, quantity=Decimal(q), unit_price=Decimal("9.90")) for item, q in lines],
        actor=CLERK,
        shipping_address="上海市徐汇区漕溪北路 1 号",
        shipping_method="express",
        tags=["wholesale"],
    )
