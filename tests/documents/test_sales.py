"""Sales orders: allocation with backorders, shipping against reservations, cancel, returns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events.exceptions import InvalidTransition
from core.events.models import DomainEvent
from core.events.timeline import order_timeline
from core.inventory import selectors
from core.inventory.models import Posting, Reservation
from core.sales.exceptions import NotFullyAllocated
from core.sales.models import Backorder, SalesOrder
from core.sales.services import (
    ReturnLineInput,
    allocate_sales_order,
    cancel_sales_order,
    close_sales_order,
    confirm_sales_order,
    deliver_sales_order,
    pick_sales_order,
    return_from_customer,
    ship_sales_order,
)
from tests.documents.support import CLERK, make_item, make_so, make_stock_location, receive


def _allocated(order: SalesOrder) -> SalesOrder:
    confirm_sales_order(order, actor=CLERK)
    allocate_sales_order(order, actor=CLERK)
    order.refresh_from_db()
    return order


def test_short_stock_allocates_what_there_is_and_backorders_the_rest(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "6")
    order = make_so([(item, "10")], source=shelf)
    # when
    _allocated(order)
    # then
    line = order.lines.get()
    backorder = Backorder.objects.get(line=line)
    assert order.state == "allocated"
    assert line.allocated_quantity == Decimal("6")
    assert backorder.quantity == Decimal("4") and backorder.state == "open"
    assert selectors.available(item.pk, shelf.pk) == Decimal("0")
    timeline = order_timeline("sales_order", order.pk, now=timezone.now() + timedelta(hours=1))
    assert timeline.blocking_reason == "awaiting_stock"
    assert timeline.blocked_for >= timedelta(hours=1)
    # backorders lower inventory position: 6 on hand − 6 reserved − 4 owed
    assert selectors.inventory_position(item.pk, shelf.pk) == Decimal("-4")


def test_a_backordered_order_is_not_picked_until_stock_arrives(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "6")
    order = _allocated(make_so([(item, "10")], source=shelf))
    # when
    with pytest.raises(NotFullyAllocated):
        pick_sales_order(order, actor=CLERK)
    receive(item, shelf, "5")
    allocate_sales_order(order, actor=CLERK)
    pick_sales_order(order, actor=CLERK)
    # then
    line = order.lines.get()
    assert line.allocated_quantity == Decimal("10")
    assert Backorder.objects.get(line=line).state == "fulfilled"
    timeline = order_timeline("sales_order", order.pk)
    assert timeline.current_state == "picking"
    assert timeline.blocking_reason == "awaiting_carrier"
    assert DomainEvent.objects.filter(
        subject_type="sales_order", subject_id=order.pk, event_type="sales_order.unblocked"
    ).exists()


def test_shipping_consumes_the_reservations(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "20")
    order = _allocated(make_so([(item, "8")], source=shelf))
    pick_sales_order(order, actor=CLERK)
    # when
    shipment = ship_sales_order(order, actor=CLERK, carrier="SF Express", tracking_number="SF123")
    again = ship_sales_order(order, actor=CLERK)
    # then
    assert again.pk == shipment.pk
    assert Posting.objects.filter(idempotency_key=f"sales.shipment:{order.pk}").count() == 1
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("12")
    assert selectors.reserved(item.pk, shelf.pk) == Decimal("0")
    assert set(Reservation.objects.filter(reference=order.reservation_reference).values_list("state", flat=True)) == {"consumed"}
    order.refresh_from_db()
    assert order.state == "shipped"
    assert order.lines.get().shipped_quantity == Decimal("8")


def test_cancel_releases_reservations_and_backorders(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "3")
    order = _allocated(make_so([(item, "5")], source=shelf))
    # when
    cancel_sales_order(order, actor=CLERK, reason="customer changed mind")
    # then
    assert selectors.reserved(item.pk, shelf.pk) == Decimal("0")
    assert selectors.available(item.pk, shelf.pk) == Decimal("3")
    assert Backorder.objects.get(line__sales_order=order).state == "cancelled"
    assert selectors.inventory_position(item.pk, shelf.pk) == Decimal("3")
    assert order_timeline("sales_order", order.pk).blocking_reason == ""


def test_full_flow_to_closed_and_a_customer_return(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10")
    order = _allocated(make_so([(item, "4")], source=shelf))
    pick_sales_order(order, actor=CLERK)
    ship_sales_order(order, actor=CLERK)
    # when
    deliver_sales_order(order, actor=CLERK)
    close_sales_order(order, actor=CLERK)
    line = order.lines.get()
    return_from_customer(order, [ReturnLineInput(line.pk, Decimal("1"))], actor=CLERK, reference="rma-1", reason="broken seal")
    # then
    assert order.state == "closed"
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("7")
    steps = [step.state for step in order_timeline("sales_order", order.pk).steps]
    assert steps == ["draft", "confirmed", "allocated", "picking", "shipped", "delivered", "closed"]


def test_shipping_before_picking_is_an_invalid_transition(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10")
    order = _allocated(make_so([(item, "4")], source=shelf))
    # when
    with pytest.raises(InvalidTransition):
        ship_sales_order(order, actor=CLERK)
    # then
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("10")
    assert SalesOrder.objects.get(pk=order.pk).state == "allocated"
