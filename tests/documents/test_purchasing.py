"""Purchase orders: approval by threshold, receipts (partial, over, lots, double submit), lead time, returns."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from core.events.exceptions import InvalidTransition
from core.events.models import DomainEvent
from core.events.timeline import order_timeline
from core.inventory import selectors
from core.inventory.models import Lot, Posting, StockLevel
from core.partners.models import Supplier
from core.purchasing.exceptions import ApprovalNotAllowed, LotRequired, OverReceipt
from core.purchasing.models import GoodsReceipt, PurchaseOrder
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    ReturnLineInput,
    approve_purchase_order,
    cancel_purchase_order,
    create_purchase_order,
    receive_purchase_order,
    return_to_supplier,
    send_purchase_order,
    submit_purchase_order,
    update_purchasing_settings,
)
from tenants.accounts.roles import Role
from tests.documents.support import CLERK, actor_with_role, make_item, make_po, make_stock_location, make_supplier


def _events(po: PurchaseOrder) -> list[str]:
    return list(DomainEvent.objects.filter(subject_type="purchase_order", subject_id=po.pk).values_list("event_type", flat=True))


def test_large_order_waits_for_a_manager_and_the_timeline_says_why(in_alpha):
    # given
    update_purchasing_settings(approval_threshold=Decimal("5000"))
    item = make_item()
    po = create_purchase_order(
        supplier=make_supplier(),
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=item.pk, quantity=Decimal("100"), unit_price=Decimal("80"))],
        actor=CLERK,
    )
    # when
    submit_purchase_order(po, actor=CLERK)
    timeline = order_timeline("purchase_order", po.pk, now=timezone.now() + timedelta(hours=5))
    # then
    assert po.state == "submitted"
    assert po.total == Decimal("8000.00")
    assert timeline.blocking_reason == "awaiting_approval"
    assert timeline.blocked_for >= timedelta(hours=5)
    assert [step.state for step in timeline.steps] == ["draft", "submitted"]
    assert timeline.steps[-1].duration >= timedelta(hours=5)
    assert timeline.steps[0].left_at is not None


def test_a_clerk_cannot_approve_but_a_manager_can(in_alpha):
    # given
    update_purchasing_settings(approval_threshold=Decimal("10"))
    po = create_purchase_order(
        supplier=make_supplier(),
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=make_item().pk, quantity=Decimal("5"), unit_price=Decimal("20"))],
        actor=CLERK,
    )
    submit_purchase_order(po, actor=CLERK)
    # when
    with pytest.raises(ApprovalNotAllowed):
        approve_purchase_order(po, actor=actor_with_role(Role.CLERK))
    approve_purchase_order(po, actor=actor_with_role(Role.MANAGER))
    # then
    po.refresh_from_db()
    assert po.state == "approved"
    assert order_timeline("purchase_order", po.pk).blocking_reason == "awaiting_supplier"


def test_small_order_is_approved_by_the_system_on_submit(in_alpha):
    # given
    update_purchasing_settings(approval_threshold=Decimal("5000"))
    po = create_purchase_order(
        supplier=make_supplier(),
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=make_item().pk, quantity=Decimal("10"), unit_price=Decimal("3.5"))],
        actor=CLERK,
    )
    # when
    submit_purchase_order(po, actor=CLERK)
    # then
    assert po.state == "approved"
    assert _events(po) == ["purchase_order.created", "purchase_order.submitted", "purchase_order.approved"]
    approved = DomainEvent.objects.get(subject_type="purchase_order", subject_id=po.pk, to_state="approved")
    assert approved.actor == "system"
    assert approved.payload["reason"] == "auto_approved_below_threshold"


def test_invalid_transition_is_refused_and_leaves_no_event(in_alpha):
    # given
    po = make_po([(make_item(), "5", "2")])
    before = _events(po)
    # when
    with pytest.raises(InvalidTransition) as error:
        send_purchase_order(po, actor=CLERK)
    # then
    assert error.value.code == "INVALID_TRANSITION"
    assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
    assert _events(po) == before


def test_every_transition_leaves_an_event(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    po = make_po([(item, "10", "2")], destination=shelf, state="sent")
    line = po.lines.get()
    # when
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("4"))], actor=CLERK, reference="dn-1")
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("6"))], actor=CLERK, reference="dn-2")
    # then
    states = list(
        DomainEvent.objects.filter(subject_type="purchase_order", subject_id=po.pk)
        .exclude(to_state="")
        .values_list("to_state", flat=True)
    )
    assert states == ["draft", "submitted", "approved", "sent", "partially_received", "received"]
    assert [step.state for step in order_timeline("purchase_order", po.pk).steps] == states


def test_partial_receipt_then_the_rest(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    po = make_po([(item, "10", "2")], destination=shelf, state="sent")
    line = po.lines.get()
    # when
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("4"))], actor=CLERK, reference="dn-a")
    # then
    po.refresh_from_db()
    line.refresh_from_db()
    assert po.state == "partially_received"
    assert line.received_quantity == Decimal("4")
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("4")
    # when
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("6"))], actor=CLERK, reference="dn-b")
    # then
    po.refresh_from_db()
    assert po.state == "received"
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("10")


def test_over_receipt_beyond_tolerance_is_refused_and_posts_nothing(in_alpha):
    # given
    update_purchasing_settings(over_receipt_tolerance_percent=Decimal("10"))
    item, shelf = make_item(), make_stock_location()
    po = make_po([(item, "100", "1")], destination=shelf, state="sent")
    line = po.lines.get()
    # when
    with pytest.raises(OverReceipt) as error:
        receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("111"))], actor=CLERK, reference="dn-over")
    # then
    assert error.value.code == "OVER_RECEIPT"
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("0")
    assert not GoodsReceipt.objects.filter(reference="dn-over").exists()
    # when: within the 10 % tolerance (a supplier rounding up to full cases)
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("110"))], actor=CLERK, reference="dn-ok")
    # then
    po.refresh_from_db()
    assert po.state == "received"
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("110")


def test_lot_and_expiry_are_captured_for_lot_tracked_items(in_alpha):
    # given
    milk, shelf = make_item(lot_tracked=True, shelf_life_days=14), make_stock_location()
    po = make_po([(milk, "24", "6")], destination=shelf, state="sent")
    line = po.lines.get()
    # when
    with pytest.raises(LotRequired):
        receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("24"))], actor=CLERK, reference="dn-nolot")
    receive_purchase_order(
        po,
        [ReceiptLineInput(line.pk, Decimal("24"), lot_code="L2611-07", expiry_date=date(2026, 12, 9))],
        actor=CLERK,
        reference="dn-lot",
    )
    # then
    lot = Lot.objects.get(item=milk, code="L2611-07")
    assert lot.expiry_date == date(2026, 12, 9)
    assert StockLevel.objects.get(item=milk, location=shelf, lot=lot).on_hand == Decimal("24")
    assert GoodsReceipt.objects.get(reference="dn-lot").lines.get().lot_code == "L2611-07"


def test_submitting_the_same_receipt_twice_posts_once(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    po = make_po([(item, "10", "2")], destination=shelf, state="sent")
    line = po.lines.get()
    entry = [ReceiptLineInput(line.pk, Decimal("4"))]
    # when
    first = receive_purchase_order(po, entry, actor=CLERK, reference="scan-77")
    again = receive_purchase_order(po, entry, actor=CLERK, reference="scan-77")
    # then
    assert again.pk == first.pk
    assert Posting.objects.filter(idempotency_key="purchasing.receipt:scan-77").count() == 1
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("4")
    line.refresh_from_db()
    assert line.received_quantity == Decimal("4")


def test_lead_time_is_learned_from_the_first_receipt(in_alpha):
    # given
    supplier = make_supplier(declared_lead_time_days=7)
    item = make_item()
    po = make_po([(item, "10", "2")], supplier=supplier, state="approved")
    send_purchase_order(po, actor=CLERK, sent_at=timezone.now() - timedelta(days=3))
    line = po.lines.get()
    # when
    receipt = receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("5"))], actor=CLERK, reference="dn-lt1")
    receive_purchase_order(po, [ReceiptLineInput(line.pk, Decimal("5"))], actor=CLERK, reference="dn-lt2")
    # then
    supplier = Supplier.objects.get(pk=supplier.pk)
    assert receipt.lead_time_days == Decimal("3.00")
    assert supplier.lead_time_samples == 1
    assert supplier.learned_lead_time_mean_days == Decimal("3.0000")


def test_cancel_is_allowed_until_goods_arrive(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    sent = make_po([(item, "10", "2")], destination=shelf, state="sent")
    receiving = make_po([(item, "10", "2")], destination=shelf, state="sent")
    receive_purchase_order(receiving, [ReceiptLineInput(receiving.lines.get().pk, Decimal("1"))], actor=CLERK, reference="r1")
    # when
    cancel_purchase_order(sent, actor=CLERK, reason="supplier out of stock")
    # then
    assert sent.state == "cancelled"
    with pytest.raises(InvalidTransition):
        cancel_purchase_order(receiving, actor=CLERK)


def test_return_to_supplier_moves_stock_back(in_alpha):
    # given
    item, shelf = make_item(), make_stock_location()
    po = make_po([(item, "10", "2")], destination=shelf, state="sent")
    receive_purchase_order(po, [ReceiptLineInput(po.lines.get().pk, Decimal("10"))], actor=CLERK, reference="dn-r")
    # when
    returned = return_to_supplier(
        supplier=po.supplier,
        source=shelf,
        lines=[ReturnLineInput(item.pk, Decimal("3"))],
        actor=CLERK,
        reference="rtv-1",
        purchase_order=po,
        reason="damaged cartons",
    )
    again = return_to_supplier(
        supplier=po.supplier, source=shelf, lines=[ReturnLineInput(item.pk, Decimal("3"))], actor=CLERK, reference="rtv-1"
    )
    # then
    assert again.pk == returned.pk
    assert selectors.on_hand(item.pk, shelf.pk) == Decimal("7")
    assert "purchase_order.returned_to_supplier" in _events(po)


@pytest.mark.slow
def test_two_clerks_submitting_the_same_receipt_at_once_post_it_once(committed_tenant):
    # given: committed data, so two real connections see it
    with schema_context(committed_tenant.schema):
        item, shelf = make_item(), make_stock_location()
        po = make_po([(item, "10", "2")], destination=shelf, state="sent")
        line_id = po.lines.get().pk
    barrier, outcomes = threading.Barrier(2), []

    def submit() -> None:
        try:
            with schema_context(committed_tenant.schema):
                barrier.wait()
                order = PurchaseOrder.objects.get(pk=po.pk)
                entry = [ReceiptLineInput(line_id, Decimal("6"))]
                receipt = receive_purchase_order(order, entry, actor=CLERK, reference="dn-race")
                outcomes.append(receipt.pk)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    with schema_context(committed_tenant.schema):
        assert len(outcomes) == 2 and outcomes[0] == outcomes[1]
        assert Posting.objects.filter(idempotency_key="purchasing.receipt:dn-race").count() == 1
        assert selectors.on_hand(item.pk, shelf.pk) == Decimal("6")
        assert PurchaseOrder.objects.get(pk=po.pk).lines.get().received_quantity == Decimal("6")
