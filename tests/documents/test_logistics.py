"""Transfers through transit, discrepancies booked to loss, and the duplicate-order guard on inventory position."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events.exceptions import InvalidTransition
from core.events.timeline import order_timeline
from core.inventory import selectors
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location
from core.logistics.models import InboundShipment, TransferDiscrepancy
from core.logistics.services import (
    ReceivedLineInput,
    TransferLineInput,
    cancel_transfer,
    create_transfer,
    mark_purchase_in_transit,
    receive_transfer,
    ship_transfer,
)
from core.purchasing.services import ReceiptLineInput, receive_purchase_order
from tests.documents.support import CLERK, make_item, make_po, make_stock_location, receive


def _shipped_transfer(item, origin, store, quantity: str):
    transfer = create_transfer(
        from_location=origin, to_location=store, lines=[TransferLineInput(item.pk, Decimal(quantity))], actor=CLERK
    )
    return ship_transfer(transfer, actor=CLERK, carrier="德邦物流", eta=timezone.now() + timedelta(days=2))


def test_shipped_transfer_counts_once_at_the_destination(in_alpha):
    # given
    item, warehouse, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, warehouse, "50")
    # when
    transfer = _shipped_transfer(item, warehouse, store, "20")
    # then: 在途 at the store, gone from the warehouse, nowhere twice
    transit = Location.objects.get(pk=transfer.transit_location_id)
    assert transit.kind == LocationKind.TRANSIT and transit.destination_id == store.pk
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("20")
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("20")
    assert selectors.inventory_position(item.pk, warehouse.pk) == Decimal("30")
    timeline = order_timeline("transfer", transfer.pk)
    assert timeline.current_state == "shipped" and timeline.blocking_reason == "awaiting_carrier"
    # when: it arrives, the position at the store stays the same (in transit became on hand)
    receive_transfer(transfer, actor=CLERK)
    # then
    assert selectors.on_hand(item.pk, store.pk) == Decimal("20")
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("0")
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("20")


def test_open_po_in_transit_counts_once(in_alpha):
    # given
    item, store = make_item(), make_stock_location()
    po = make_po([(item, "30", "4")], destination=store, state="sent")
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("30")
    # when: the supplier ships and we track it
    shipment = mark_purchase_in_transit(po, actor=CLERK, carrier="顺丰", tracking_number="SF998", eta=timezone.now())
    # then: still 30, not 60 — the goods are the PO's open quantity, not a second transit bucket
    assert InboundShipment.objects.get(pk=shipment.pk).state == "in_transit"
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("30")
    # when: part of it is received
    receive_purchase_order(po, [ReceiptLineInput(po.lines.get().pk, Decimal("12"))], actor=CLERK, reference="gr-it")
    # then: 12 on hand + 18 still open
    assert selectors.on_hand(item.pk, store.pk) == Decimal("12")
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("30")


def test_transfer_and_po_together_are_each_counted_once(in_alpha):
    # given
    item, warehouse, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, warehouse, "40")
    make_po([(item, "25", "4")], destination=store, state="sent")
    # when
    _shipped_transfer(item, warehouse, store, "15")
    # then
    assert selectors.inventory_position(item.pk, store.pk) == Decimal("40")
    assert selectors.inventory_position(item.pk, warehouse.pk) == Decimal("25")


def test_short_received_transfer_books_the_difference_to_loss(in_alpha):
    # given
    item, warehouse, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, warehouse, "50")
    transfer = _shipped_transfer(item, warehouse, store, "20")
    line = transfer.lines.get()
    loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
    # when
    receive_transfer(
        transfer, actor=CLERK, received=[ReceivedLineInput(line.pk, Decimal("17"), reason="damaged", note="3 crushed")]
    )
    # then
    discrepancy = TransferDiscrepancy.objects.get(line=line)
    assert (discrepancy.shipped_quantity, discrepancy.received_quantity, discrepancy.difference) == (
        Decimal("20"),
        Decimal("17"),
        Decimal("3"),
    )
    assert discrepancy.reason == "damaged"
    assert selectors.on_hand(item.pk, store.pk) == Decimal("17")
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("0")
    lost = selectors.stock_moves(item_id=item.pk, document_type="transfer").filter(to_location=loss)
    assert [move.quantity for move in lost] == [Decimal("3")]
    assert transfer.state == "received"


def test_over_received_transfer_books_the_surplus_from_loss(in_alpha):
    # given
    item, warehouse, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, warehouse, "50")
    transfer = _shipped_transfer(item, warehouse, store, "10")
    line = transfer.lines.get()
    # when
    receive_transfer(transfer, actor=CLERK, received=[ReceivedLineInput(line.pk, Decimal("11"))])
    # then
    discrepancy = TransferDiscrepancy.objects.get(line=line)
    assert discrepancy.difference == Decimal("-1") and discrepancy.reason == "over_shipped"
    assert selectors.on_hand(item.pk, store.pk) == Decimal("11")


def test_a_shipped_transfer_cannot_be_cancelled(in_alpha):
    # given
    item, warehouse, store = make_item(), make_stock_location(), make_stock_location()
    receive(item, warehouse, "5")
    transfer = _shipped_transfer(item, warehouse, store, "5")
    # when
    with pytest.raises(InvalidTransition):
        cancel_transfer(transfer, actor=CLERK)
    # then
    assert selectors.in_transit_to(item.pk, store.pk) == Decimal("5")
