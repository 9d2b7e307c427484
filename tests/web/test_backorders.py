"""Sales orders short on stock: the page offers the right actions, part ships now, and the next receipt
re-allocates the backorder by itself (outbox consumer), in customer priority order, on the timeline."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.events.models import DomainEvent
from core.events.webhooks import drain_outbox
from core.inventory.factories import make_item, make_stock_location, receive
from core.partners.models import CustomerTier
from core.partners.services import create_customer, create_supplier
from core.purchasing import services as purchasing
from core.sales import services as sales
from core.sales.backorders import REALLOCATED_EVENT
from core.sales.models import Backorder, BackorderState, SalesOrder
from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def short_order(item, location, quantity: str, tier: str = CustomerTier.STANDARD) -> SalesOrder:
    customer = create_customer(code=uid("C"), name="客户", tier=tier)
    order = sales.create_sales_order(
        customer=customer, source=location, lines=[sales.SalesLineInput(item.pk, Decimal(quantity))], actor="test"
    )
    sales.confirm_sales_order(order, actor="test")
    return sales.allocate_sales_order(order, actor="test")


def receive_by_purchase_order(item, location, quantity: str) -> None:
    supplier = create_supplier(code=uid("S"), name="供应商")
    po = purchasing.create_purchase_order(
        supplier=supplier, destination=location, lines=[purchasing.OrderLineInput(item.pk, Decimal(quantity))], actor="test"
    )
    purchasing.submit_purchase_order(po, actor="test")
    po.refresh_from_db()
    if po.state == "submitted":
        purchasing.approve_purchase_order(po, actor="test")
    purchasing.send_purchase_order(po, actor="test")
    line = po.lines.get()
    purchasing.receive_purchase_order(
        po, [purchasing.ReceiptLineInput(line.pk, Decimal(quantity))], actor="test", reference=uid("R")
    )


def actions_on(page: str) -> list[str]:
    return re.findall(r'name="action" value="([a-z_]+)"', page)


def test_an_order_larger_than_stock_ships_in_part_and_the_next_receipt_fills_the_backorder(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        item, shop = make_item(uid("RICE")), make_stock_location()
        receive(item, shop, "24")
        order = short_order(item, shop, "30")
        assert Backorder.objects.get(line__sales_order=order).quantity == Decimal("6")

    # the page offers a partial shipment and a re-check, not a Pick the service would refuse
    page = client.get(f"/sales-orders/{order.pk}/").content.decode()
    assert actions_on(page) == ["reallocate", "pick_partial", "cancel"]
    assert 'id="backorder-notice"' in page

    # when what is in stock is shipped
    client.post(f"/sales-orders/{order.pk}/pick_partial/")
    assert actions_on(client.get(f"/sales-orders/{order.pk}/").content.decode()) == ["ship", "cancel"]
    client.post(f"/sales-orders/{order.pk}/ship/")

    # then 24 left, the order waits for the other 6
    with schema_context(alpha.schema):
        order.refresh_from_db()
        line = order.lines.get()
        assert (order.state, line.shipped_quantity, line.allocated_quantity) == ("allocated", Decimal("24"), Decimal("0"))
    assert actions_on(client.get(f"/sales-orders/{order.pk}/").content.decode()) == ["reallocate", "cancel"]

    # when goods arrive on a purchase order, the outbox consumer serves the backorder without anyone asking
    with schema_context(alpha.schema):
        receive_by_purchase_order(item, shop, "10")
        drain_outbox()
        line.refresh_from_db()
        assert line.allocated_quantity == Decimal("6")
        assert Backorder.objects.get(line=line).state == BackorderState.FULFILLED
        event = DomainEvent.objects.get(subject_type="sales_order", subject_id=order.pk, event_type=REALLOCATED_EVENT)
        assert event.payload["cause"]["event"] == "purchase_order.goods_received" and event.payload["fully_allocated"]

    # and the page now offers Pick; the second shipment completes the order
    assert actions_on(client.get(f"/sales-orders/{order.pk}/").content.decode()) == ["pick", "cancel"]
    client.post(f"/sales-orders/{order.pk}/pick/")
    client.post(f"/sales-orders/{order.pk}/ship/")
    with schema_context(alpha.schema):
        order.refresh_from_db()
        assert order.state == "shipped" and order.shipments.count() == 2
    timeline = client.get(f"/timeline/sales_order/{order.pk}/").content.decode()
    assert "重新分配" in timeline


def test_the_receipt_serves_key_accounts_before_older_standard_orders(alpha: TenantInfo) -> None:
    with schema_context(alpha.schema):
        item, shop = make_item(uid("OIL")), make_stock_location()
        standard = short_order(item, shop, "5")  # older
        key_account = short_order(item, shop, "5", tier=CustomerTier.KEY_ACCOUNT)

        receive_by_purchase_order(item, shop, "5")
        drain_outbox()

        served = {o.pk: o.lines.get().allocated_quantity for o in (standard, key_account)}
    assert served == {standard.pk: Decimal("0"), key_account.pk: Decimal("5")}


def test_a_refused_order_does_not_use_up_a_number(alpha: TenantInfo) -> None:
    with schema_context(alpha.schema):
        item, shop = make_item(uid("NUM")), make_stock_location()
        customer = create_customer(code=uid("C"), name="客户")
        first = sales.create_sales_order(
            customer=customer, source=shop, lines=[sales.SalesLineInput(item.pk, Decimal("1"))], actor="t"
        )
        with pytest.raises(sales.InvalidQuantity):
            sales.create_sales_order(
                customer=customer, source=shop, lines=[sales.SalesLineInput(item.pk, Decimal("-1"))], actor="t"
            )
        second = sales.create_sales_order(
            customer=customer, source=shop, lines=[sales.SalesLineInput(item.pk, Decimal("1"))], actor="t"
        )
    assert int(second.number[2:]) == int(first.number[2:]) + 1


def test_order_lines_find_items_by_name(alpha: TenantInfo) -> None:
    from core.web.forms import OrderLineForm

    with schema_context(alpha.schema):
        item = make_item(uid("TEA"), name_zh=f"西湖龙井 {uuid.uuid4().hex[:4]}")
        form = OrderLineForm({"item": item.name_zh, "quantity": "2"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["item"] == item
