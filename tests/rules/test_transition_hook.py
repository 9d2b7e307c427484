"""The rules engine in the document pipeline: a matching block or approval rule vetoes the transition."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.events.models import DomainEvent
from core.events.pipeline import TransitionVetoed, transition
from core.rules import services


def test_a_blocking_rule_vetoes_the_transition_and_records_no_event(orders):
    # given
    order = orders.objects.create(total=Decimal("90000"))
    services.create_rule(name="credit", trigger="test_order.confirmed", text='当订单金额>50000时，阻止："超出信用额度"')

    # when
    with pytest.raises(TransitionVetoed) as caught:
        transition(order, "confirmed", actor="clerk@x.cn")

    # then
    assert "超出信用额度" in str(caught.value)
    order.refresh_from_db()
    assert order.state == "draft"
    assert not DomainEvent.objects.filter(subject_type="test_order", subject_id=order.pk).exists()


def test_side_effect_rules_apply_and_the_transition_goes_ahead(orders):
    # given
    order = orders.objects.create(total=Decimal("300"), shipping_address="浦东机场")
    services.create_rule(name="air", trigger="test_order.confirmed", text='当收货地址包含"机场"时，设置配送方式为空运优先')

    # when
    transition(order, "confirmed", actor="clerk@x.cn")

    # then
    order.refresh_from_db()
    assert order.state == "confirmed"
    assert order.shipping_method == "air_priority"


def test_an_approval_granted_after_a_veto_lets_the_next_attempt_through(orders):
    # given
    order = orders.objects.create(total=Decimal("90000"))
    rule = services.create_rule(name="big", trigger="test_order.confirmed", text="当订单金额>50000时，需要经理审批")
    with pytest.raises(TransitionVetoed):
        transition(order, "confirmed", actor="clerk@x.cn")

    # when
    services.grant_approval(rule, "test_order", str(order.pk), "boss@x.cn")
    transition(order, "confirmed", actor="clerk@x.cn")

    # then
    order.refresh_from_db()
    assert order.state == "confirmed"
