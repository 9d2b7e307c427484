"""Saving rules: type-checked at save time, every edit a new immutable version with a diff, rollback in one step."""

from __future__ import annotations

import pytest

from core.rules import services
from core.rules.evaluator import evaluate
from core.rules.exceptions import RuleError, RuleErrorCode, RuleParseError, RuleValidationError
from core.rules.models import Rule, RuleVersion


def test_a_rule_with_an_unknown_field_cannot_be_saved(in_alpha):
    # when
    with pytest.raises(RuleValidationError) as caught:
        services.create_rule(
            name="bad field",
            trigger="sales_order.confirmed",
            condition={"field": "customer.shoe_size", "op": "gt", "value": 40},
            actions=[{"type": "block"}],
        )

    # then
    assert caught.value.code == RuleErrorCode.UNKNOWN_FIELD
    assert caught.value.path == "customer.shoe_size"
    assert not Rule.objects.filter(name="bad field").exists()


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ({"field": "order.total", "op": "gt", "value": "lots"}, RuleErrorCode.INVALID_VALUE),
        ({"field": "order.total", "op": "contains", "value": "5"}, RuleErrorCode.INVALID_OPERATOR),
        ({"field": "customer.tier", "op": "eq", "value": "diamond"}, RuleErrorCode.INVALID_VALUE),
        ({"field": "calendar.is_weekend", "op": "eq", "value": "yes"}, RuleErrorCode.INVALID_VALUE),
        ({"field": "order.order_date", "op": "between", "value": ["2026-01-01"]}, RuleErrorCode.INVALID_VALUE),
        ({"any": []}, RuleErrorCode.INVALID_CONDITION),
    ],
)
def test_a_type_mismatch_cannot_be_saved_and_names_the_field(in_alpha, condition, code):
    # when
    with pytest.raises(RuleValidationError) as caught:
        services.create_rule(name="mismatch", trigger="sales_order.confirmed", condition=condition, actions=[{"type": "block"}])

    # then
    assert caught.value.code == code
    assert caught.value.path == condition.get("field", "")
    assert not Rule.objects.filter(name="mismatch").exists()


def test_bad_actions_and_triggers_are_rejected(in_alpha):
    # when / then
    with pytest.raises(RuleValidationError) as action:
        services.create_rule(
            name="b",
            trigger="sales_order.confirmed",
            condition={"all": []},
            actions=[{"type": "set_field", "field": "order.total", "value": 1}],
        )
    assert action.value.code == RuleErrorCode.INVALID_ACTION
    with pytest.raises(RuleError) as trigger:
        services.create_rule(name="c", trigger="whenever", text="当周末时阻止")
    assert trigger.value.code == RuleErrorCode.INVALID_TRIGGER
    assert services.create_rule(name="d", trigger="cron:0 8 * * 1-5", text="当周末时阻止").trigger == "cron:0 8 * * 1-5"


def test_unparseable_text_is_not_saved(in_alpha):
    # when
    with pytest.raises(RuleParseError):
        services.create_rule(name="typo", trigger="sales_order.confirmed", text="当订单金额>>5时阻止")

    # then
    assert not Rule.objects.filter(name="typo").exists()


def test_update_appends_a_version_with_a_readable_diff_and_keeps_the_old_one(in_alpha):
    # given
    rule = services.create_rule(
        name="big orders", trigger="sales_order.confirmed", text='当订单金额>20000时，需要经理审批："大额"', actor="ann@x.cn"
    )

    # when
    version = services.update_rule(
        rule, text='当订单金额>30000且客户等级为VIP时，需要经理审批："大额"并添加标签"大单"', actor="bob@x.cn", reason="too noisy"
    )

    # then
    assert version.number == 2
    assert version.author == "bob@x.cn" and version.reason == "too noisy"
    assert {"kind": "condition_changed", "detail": "订单金额>20000 → 订单金额>30000"} in version.diff
    assert {"kind": "condition_added", "detail": "客户等级为VIP"} in version.diff
    assert {"kind": "action_added", "detail": '添加标签"大单"'} in version.diff
    first = RuleVersion.objects.get(rule=rule, number=1)
    assert first.condition == {"field": "order.total", "op": "gt", "value": 20000}
    assert Rule.objects.get(pk=rule.pk).current_version == version


def test_an_edit_that_changes_nothing_makes_no_version(in_alpha):
    # given
    rule = services.create_rule(name="same", trigger="sales_order.confirmed", text="当周末时阻止")

    # when
    version = services.update_rule(rule, text="When weekend is true then block", language="en")

    # then
    assert version.number == 1
    assert rule.versions.count() == 1


def test_rollback_makes_the_rule_behave_exactly_as_its_earlier_version(in_alpha):
    # given
    rule = services.create_rule(name="vip air", trigger="sales_order.confirmed", text="当订单金额>20000时，阻止")
    events = [{"order": {"total": total}} for total in (100, 20001, 25000, 30001)]

    def outcomes() -> list[bool]:
        return [evaluate("sales_order.confirmed", ctx, audit=False).blocked for ctx in events]

    before = outcomes()
    services.update_rule(rule, text="当订单金额>30000时，阻止", actor="bob")
    edited = outcomes()

    # when
    version = services.rollback_rule(rule, 1, actor="ann", reason="v2 let big orders through")

    # then
    assert before == [False, True, True, True]
    assert edited == [False, False, False, True]
    assert outcomes() == before
    assert version.number == 3 and version.rolled_back_from == 1
    assert version.author == "ann" and version.reason == "v2 let big orders through"
    assert version.diff[0] == {"kind": "rolled_back", "detail": "v2 → v1"}
    assert list(rule.versions.values_list("number", flat=True)) == [1, 2, 3]


def test_rollback_to_a_missing_version_is_a_typed_error(in_alpha):
    # given
    rule = services.create_rule(name="r", trigger="sales_order.confirmed", text="当周末时阻止")

    # when
    with pytest.raises(RuleError) as caught:
        services.rollback_rule(rule, 7, actor="ann", reason="x")

    # then
    assert caught.value.code == RuleErrorCode.VERSION_NOT_FOUND


def test_deactivated_rules_do_not_run(in_alpha):
    # given
    rule = services.create_rule(name="weekend stop", trigger="sales_order.confirmed", text="当周末时阻止")
    context = {"calendar": {"is_weekend": True}}

    # when
    services.deactivate_rule(rule)
    off = evaluate("sales_order.confirmed", context, audit=False)
    services.activate_rule(rule)
    on = evaluate("sales_order.confirmed", context, audit=False)

    # then
    assert not off.blocked and off.rules_evaluated == 0
    assert on.blocked
