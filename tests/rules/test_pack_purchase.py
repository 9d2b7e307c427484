"""The core pack's board approval with its price-volatility exception, end to end on real purchase orders.

A purchase of 50,000 or more needs the owner's approval, unless it is urgent while the price of one of its
materials moved more than 3% in a day: then it goes through and the owner is notified instead.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events.exceptions import TransitionVetoed
from core.partners.services import create_supplier
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import OrderLineInput, create_purchase_order, submit_purchase_order
from core.rules import services
from core.rules.models import ApprovalRequest, Rule, RuleNotification
from core.rules.packs import load_rule_pack
from core.rules.transitions import rules_transition_hook
from core.signals.services import ingest_market_prices
from tests.documents.support import make_item, make_stock_location


def _purchase(total_units: int, *, urgent: bool, yesterday: str | None, today: str | None) -> PurchaseOrder:
    """A purchase of `total_units` × 1,000 of steel whose market price was `yesterday` and is `today`."""
    steel = make_item(f"STEEL-{uuid.uuid4().hex[:6]}")
    day = timezone.localdate()
    rows = [{"item": steel.sku, "date": day - timedelta(days=1), "price": yesterday}] if yesterday else []
    rows += [{"item": steel.sku, "date": day, "price": today}] if today else []
    if rows:
        ingest_market_prices(rows)
    supplier = create_supplier(code=f"SUP-{uuid.uuid4().hex[:6]}", name="钢材供应商")
    return create_purchase_order(
        supplier=supplier,
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=steel.pk, quantity=Decimal(total_units), unit_price=Decimal("1000"))],
        actor="buyer@example.com",
        urgent=urgent,
    )


@pytest.fixture(autouse=True)
def core_pack(in_alpha) -> None:
    load_rule_pack("core")


def test_a_large_ordinary_purchase_needs_the_board(in_alpha):
    # given: 60,000, not urgent, while the price jumped 4%
    po = _purchase(60, urgent=False, yesterday="100", today="104")

    # when / then
    with pytest.raises(TransitionVetoed) as caught:
        submit_purchase_order(po, actor="buyer@example.com")
    assert "approval_required" in caught.value.reasons
    assert "大额采购需董事会审批" in str(caught.value)
    assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
    assert not RuleNotification.objects.exists()


def test_an_urgent_purchase_while_the_price_moves_4_percent_skips_the_board_and_notifies(in_alpha):
    # given
    po = _purchase(60, urgent=True, yesterday="100", today="104")

    # when
    submit_purchase_order(po, actor="buyer@example.com")

    # then: submitted (purchasing's own manager threshold still applies), no board approval, one notice
    assert PurchaseOrder.objects.get(pk=po.pk).state == "submitted"
    assert not ApprovalRequest.objects.exists()
    note = RuleNotification.objects.get()
    assert (note.role, note.subject_type, note.subject_id) == ("owner", "purchase_order", str(po.pk))
    assert "价格波动" in note.message


def test_a_price_fall_counts_as_a_move_too(in_alpha):
    # given: the price fell 5%
    po = _purchase(60, urgent=True, yesterday="100", today="95")

    # when
    submit_purchase_order(po, actor="buyer@example.com")

    # then
    assert PurchaseOrder.objects.get(pk=po.pk).state == "submitted"
    assert RuleNotification.objects.count() == 1


@pytest.mark.parametrize(
    ("yesterday", "today", "why"),
    [("100", "102", "a 2% move is not volatile"), (None, "104", "no earlier price"), ("100", "103", "3% is not over 3%")],
)
def test_an_urgent_purchase_in_a_calm_market_still_needs_the_board(in_alpha, yesterday, today, why):
    # given
    po = _purchase(60, urgent=True, yesterday=yesterday, today=today)

    # when / then
    with pytest.raises(TransitionVetoed):
        submit_purchase_order(po, actor="buyer@example.com")
    assert PurchaseOrder.objects.get(pk=po.pk).state == "draft", why
    assert not RuleNotification.objects.exists()


def test_a_stale_price_move_does_not_exempt_todays_purchase(in_alpha):
    # given: a 10% jump, but ten days ago
    steel = make_item(f"STEEL-{uuid.uuid4().hex[:6]}")
    day = timezone.localdate()
    ingest_market_prices(
        [
            {"item": steel.sku, "date": day - timedelta(days=11), "price": "100"},
            {"item": steel.sku, "date": day - timedelta(days=10), "price": "110"},
        ]
    )
    po = create_purchase_order(
        supplier=create_supplier(code=f"SUP-{uuid.uuid4().hex[:6]}", name="钢材"),
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=steel.pk, quantity=Decimal("60"), unit_price=Decimal("1000"))],
        actor="buyer@example.com",
        urgent=True,
    )

    # when / then
    with pytest.raises(TransitionVetoed):
        submit_purchase_order(po, actor="buyer@example.com")


def test_a_purchase_under_50000_is_left_to_purchasing(in_alpha):
    # given
    po = _purchase(49, urgent=True, yesterday="100", today="110")

    # when
    submit_purchase_order(po, actor="buyer@example.com")

    # then
    assert PurchaseOrder.objects.get(pk=po.pk).state == "submitted"
    assert not RuleNotification.objects.exists() and not ApprovalRequest.objects.exists()


def test_the_exception_notifies_once_when_the_submission_is_delivered_twice(in_alpha):
    # given
    po = _purchase(80, urgent=True, yesterday="100", today="104")
    as_drafted = PurchaseOrder.objects.get(pk=po.pk)
    submit_purchase_order(po, actor="buyer@example.com")

    # when: the same transition evaluated again, as a retried delivery would
    rules_transition_hook(as_drafted, "draft", "submitted", "buyer@example.com")

    # then
    assert RuleNotification.objects.filter(subject_id=str(po.pk)).count() == 1


def test_once_the_board_approves_the_ordinary_purchase_goes_through(in_alpha):
    # given
    po = _purchase(60, urgent=False, yesterday=None, today=None)
    with pytest.raises(TransitionVetoed):
        submit_purchase_order(po, actor="buyer@example.com")

    # when
    board = Rule.objects.get(pack_entry__key="large_purchase_approval")
    services.grant_approval(board, "purchase_order", str(po.pk), "owner@example.com")
    submit_purchase_order(PurchaseOrder.objects.get(pk=po.pk), actor="buyer@example.com")

    # then
    assert PurchaseOrder.objects.get(pk=po.pk).state == "submitted"


def test_a_rule_can_mark_a_purchase_urgent_through_the_catalog_name(in_alpha):
    # given: the rule language says purchase_order.is_urgent; the model's column is `urgent`
    services.create_rule(name="rush big", trigger="purchase_order.submitted", text="当采购金额>=10000时，设置加急采购为是")
    po = _purchase(20, urgent=False, yesterday=None, today=None)

    # when
    submit_purchase_order(po, actor="buyer@example.com")

    # then
    assert PurchaseOrder.objects.get(pk=po.pk).urgent is True
