"""Evaluating events: conditions over a context, real actions on the subject, idempotency, failures, the audit log."""

from __future__ import annotations

from decimal import Decimal

from core.rules import services
from core.rules.actions import register_action_handler
from core.rules.evaluator import evaluate
from core.rules.models import ApprovalRequest, RuleActionLog, RuleEvaluation, RuleNotification


def _order_context(order, tier="VIP"):
    return {"order": order, "customer": {"tier": tier}}


def test_matching_rule_sets_the_field_on_the_real_order(orders):
    # given
    order = orders.objects.create(total=Decimal("25000"), shipping_address="首都机场T3")
    services.create_rule(
        name="vip air",
        trigger="sales_order.confirmed",
        text='当客户等级为VIP且订单金额>20000且收货地址包含"机场"时,设置配送方式为空运优先',
    )

    # when
    result = evaluate("sales_order.confirmed", _order_context(order), order, "evt-1")

    # then
    order.refresh_from_db()
    assert order.shipping_method == "air_priority"
    assert [a.status for a in result.actions] == ["done"]
    assert not result.stops_transition


def test_missing_values_make_a_condition_false_not_an_error(orders):
    # given
    services.create_rule(name="vip", trigger="sales_order.confirmed", text="当客户等级为VIP时阻止")

    # when
    result = evaluate("sales_order.confirmed", {"order": {"total": 5}}, event_id="evt-2")

    # then
    assert result.matched == [] and result.errors == []
    assert RuleEvaluation.objects.get(event_id="evt-2").matched is False


def test_the_same_event_delivered_twice_runs_the_action_once(orders):
    # given
    order = orders.objects.create(total=Decimal("60000"))
    services.create_rule(name="big", trigger="sales_order.confirmed", text='当订单金额>50000时，通知经理："大单 {order.total}"')

    # when
    first = evaluate("sales_order.confirmed", _order_context(order), order, "evt-42")
    second = evaluate("sales_order.confirmed", _order_context(order), order, "evt-42")
    evaluate("sales_order.confirmed", _order_context(order), order, "evt-43")

    # then
    assert first.actions[0].status == "done"
    assert second.actions[0].status == "duplicate"
    notes = RuleNotification.objects.filter(subject_id=str(order.pk))
    assert notes.count() == 2  # one for evt-42, one for evt-43
    assert notes.first().message == "大单 60000"
    assert RuleActionLog.objects.filter(event_id="evt-42").count() == 1


def test_a_failing_action_is_logged_and_leaves_the_subject_unchanged(orders):
    # given: the note column holds 10 characters, so the set_field cannot be applied
    order = orders.objects.create(total=Decimal("10"), notes="keep")
    services.create_rule(
        name="long note",
        trigger="sales_order.confirmed",
        condition={"all": []},
        actions=[
            {"type": "set_field", "field": "order.note", "value": "far too long for the column"},
            {"type": "add_tag", "tag": "x"},
        ],
    )

    # when
    result = evaluate("sales_order.confirmed", _order_context(order), order, "evt-7")

    # then
    assert [a.status for a in result.actions] == ["failed", "done"]
    assert order.notes == "keep"
    order.refresh_from_db()
    assert order.notes == "keep" and order.tags == ["x"]
    log = RuleActionLog.objects.get(event_id="evt-7", action_index=0)
    assert log.status == "failed" and "note" in log.detail
    assert RuleEvaluation.objects.get(event_id="evt-7").errors


def test_an_action_without_a_handler_is_a_logged_failure_until_one_is_registered(orders):
    # given: the call_webhook handler taken away, as if a module had not registered it yet
    from core.rules.actions import _handlers

    services.create_rule(
        name="rainy",
        trigger="signal.weather_updated",
        condition={"field": "signal.precipitation_probability", "op": "gte", "value": 60},
        actions=[{"type": "call_webhook", "url": "https://hooks.example.com/rain"}],
    )
    context = {"signal": {"precipitation_probability": Decimal("75")}}
    seen = []
    registered = _handlers.pop("call_webhook")

    # when
    try:
        without = evaluate("signal.weather_updated", context, {"type": "store", "id": "s1"}, "evt-w1")
        register_action_handler("call_webhook", lambda action, ctx: seen.append(action) or "called")
        retried = evaluate("signal.weather_updated", context, {"type": "store", "id": "s1"}, "evt-w1")
    finally:
        register_action_handler("call_webhook", registered)

    # then
    assert without.actions[0].status == "failed" and "no handler" in without.actions[0].detail
    assert retried.actions[0].status == "done"  # a failed claim is retried on redelivery
    assert seen == [{"type": "call_webhook", "url": "https://hooks.example.com/rain"}]
    assert RuleActionLog.objects.get(event_id="evt-w1").attempts == 2


def test_block_and_require_approval_stop_a_transition_other_actions_do_not(orders):
    # given
    order = orders.objects.create(total=Decimal("80000"))
    services.create_rule(name="tag", trigger="sales_order.confirmed", text='当订单金额>100时添加标签"大单"', priority=1)
    services.create_rule(name="approve", trigger="sales_order.confirmed", text='当订单金额>50000时，需要经理审批："大额"')

    # when
    result = evaluate("sales_order.confirmed", _order_context(order), order, "evt-9")

    # then
    assert result.stops_transition and not result.blocked
    assert result.approvals_required[0]["role"] == "manager"
    assert ApprovalRequest.objects.get(subject_id=str(order.pk)).status == "pending"


def test_once_approved_the_rule_lets_the_subject_through(orders):
    # given
    order = orders.objects.create(total=Decimal("80000"))
    rule = services.create_rule(name="approve", trigger="sales_order.confirmed", text="当订单金额>50000时，需要经理审批")
    evaluate("sales_order.confirmed", _order_context(order), order, "evt-a")
    request = ApprovalRequest.objects.get(rule=rule)

    # when
    services.decide_approval(request.pk, True, "boss@x.cn")
    result = evaluate("sales_order.confirmed", _order_context(order), order, "evt-b")

    # then
    assert not result.stops_transition
    assert "approved by boss@x.cn" in result.actions[0].detail


def test_rules_run_in_priority_order_and_each_is_audited(orders):
    # given
    services.create_rule(name="second", trigger="forecast.updated", text='当预测变化率>10时添加标签"b"', priority=20)
    services.create_rule(name="first", trigger="forecast.updated", text='当预测变化率>10时添加标签"a"', priority=10)
    services.create_rule(name="other", trigger="lot.near_expiry", text='当批次剩余天数<3时添加标签"c"')
    subject = {"type": "item", "id": "sku-1", "tags": []}

    # when
    result = evaluate("forecast.updated", {"forecast": {"change_pct": 12.5}}, subject, "evt-f")

    # then
    assert [name for _, name, _ in result.matched] == ["first", "second"]
    assert subject["tags"] == ["a", "b"]
    assert RuleEvaluation.objects.filter(event_id="evt-f", matched=True).count() == 2
