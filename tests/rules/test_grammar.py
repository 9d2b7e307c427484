"""The plain-language grammar: both example sentences, operators, errors with positions and suggestions."""

from __future__ import annotations

import pytest

from core.rules.exceptions import RuleErrorCode, RuleParseError
from core.rules.grammar import parse_rule, render

EXAMPLE_TREE = {
    "all": [
        {"field": "customer.tier", "op": "eq", "value": "VIP"},
        {"field": "order.total", "op": "gt", "value": 20000},
        {"field": "order.shipping_address", "op": "contains", "value": "机场"},
    ]
}
EXAMPLE_ACTIONS = [{"type": "set_field", "field": "order.shipping_method", "value": "air_priority"}]


def test_chinese_example_sentence_compiles_to_the_tree():
    # given
    text = '当客户等级为VIP且订单金额>20000且收货地址包含"机场"时,设置配送方式为空运优先'

    # when
    parsed = parse_rule(text)

    # then
    assert parsed.language == "zh"
    assert parsed.condition == EXAMPLE_TREE
    assert parsed.actions == EXAMPLE_ACTIONS


def test_english_example_sentence_compiles_to_the_same_shape():
    # given
    text = (
        'When customer tier is VIP and order total > 20000 and shipping address contains "airport" '
        "then set shipping method to air priority"
    )

    # when
    parsed = parse_rule(text)

    # then
    assert parsed.language == "en"
    assert parsed.condition["all"][2] == {"field": "order.shipping_address", "op": "contains", "value": "airport"}
    assert parsed.condition["all"][:2] == EXAMPLE_TREE["all"][:2]
    assert parsed.actions == EXAMPLE_ACTIONS


def test_rendering_the_example_gives_canonical_text_in_either_language():
    # when
    zh = render(EXAMPLE_TREE, EXAMPLE_ACTIONS, "zh")
    en = render(EXAMPLE_TREE, EXAMPLE_ACTIONS, "en")

    # then
    assert zh == '当客户等级为VIP且订单金额>20000且收货地址包含"机场"时，设置配送方式为空运优先'
    assert en.startswith('When customer tier is VIP and order total > 20000 and shipping address contains "机场" then ')
    assert en.endswith(" then set shipping method to air priority")


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("当订单金额至少500时阻止", {"field": "order.total", "op": "gte", "value": 500}),
        ("当订单金额不超过99.50时阻止", {"field": "order.total", "op": "lte", "value": "99.5"}),
        ("当订单金额不等于0时阻止", {"field": "order.total", "op": "ne", "value": 0}),
        ("当批次剩余天数在3和7之间时阻止", {"field": "lot.days_to_expiry", "op": "between", "value": [3, 7]}),
        ('当商品类别属于("生鲜"、"冷冻")时阻止', {"field": "item.category", "op": "in", "value": ["生鲜", "冷冻"]}),
        ("当客户等级不属于(VIP,金牌)时阻止", {"field": "customer.tier", "op": "not_in", "value": ["VIP", "gold"]}),
        ("当周末时阻止", {"field": "calendar.is_weekend", "op": "eq", "value": True}),
        ("当价格日涨跌幅<-5%时阻止", {"field": "market.price_change_pct", "op": "lt", "value": -5}),
        ("当不(周末)时阻止", {"not": {"field": "calendar.is_weekend", "op": "eq", "value": True}}),
        ("When order total is at least 500 then block", {"field": "order.total", "op": "gte", "value": 500}),
        ("When order total ≥ 500 then block", {"field": "order.total", "op": "gte", "value": 500}),
        ("if days to expiry between 3 and 7 then block", {"field": "lot.days_to_expiry", "op": "between", "value": [3, 7]}),
        (
            "When customer tier is not in (VIP, gold) then block",
            {"field": "customer.tier", "op": "not_in", "value": ["VIP", "gold"]},
        ),
        ("When order date < 2026-11-11 then block", {"field": "order.order_date", "op": "lt", "value": "2026-11-11"}),
        ("When not weekend then block", {"not": {"field": "calendar.is_weekend", "op": "eq", "value": True}}),
    ],
)
def test_comparison_words_in_both_languages(text, condition):
    # when
    parsed = parse_rule(text)

    # then
    assert parsed.condition == condition
    assert parsed.actions == [{"type": "block", "reason": ""}]


def test_and_binds_tighter_than_or_and_parentheses_group():
    # when
    flat = parse_rule("当周末或节假日且订单金额>100时阻止").condition
    grouped = parse_rule("当(周末或者节假日)并且订单金额>100时阻止").condition

    # then
    weekend = {"field": "calendar.is_weekend", "op": "eq", "value": True}
    holiday = {"field": "calendar.is_holiday", "op": "eq", "value": True}
    total = {"field": "order.total", "op": "gt", "value": 100}
    assert flat == {"any": [weekend, {"all": [holiday, total]}]}
    assert grouped == {"all": [{"any": [weekend, holiday]}, total]}


def test_several_actions_after_then():
    # given
    text = '当订单金额>50000时，需要经理审批："大额订单"并添加标签"大单"，通知频道"ops"："新大单"'

    # when
    actions = parse_rule(text).actions

    # then
    assert actions == [
        {"type": "require_approval", "role": "manager", "reason": "大额订单"},
        {"type": "add_tag", "tag": "大单"},
        {"type": "notify", "channel": "ops", "message": "新大单"},
    ]


def test_misspelt_field_points_at_it_and_suggests_the_known_one():
    # given
    text = "当客户等极为VIP时，阻止"

    # when
    with pytest.raises(RuleParseError) as caught:
        parse_rule(text)

    # then
    error = caught.value
    assert error.code == RuleErrorCode.UNKNOWN_FIELD
    assert error.position == 1
    assert "客户等级" in error.suggestions
    assert error.excerpt.splitlines()[1] == "  ^"  # under 客 (a wide character is two columns)


def test_english_error_position_and_suggestion():
    # given
    text = "When customer tier is VIP and ordr total > 5 then block"

    # when
    with pytest.raises(RuleParseError) as caught:
        parse_rule(text)

    # then
    assert caught.value.position == text.index("ordr")
    assert caught.value.suggestions[0] == "order total"


def test_operator_that_does_not_fit_the_field_type_is_rejected_at_its_position():
    # given
    text = 'When order total contains "5" then block'

    # when
    with pytest.raises(RuleParseError) as caught:
        parse_rule(text)

    # then
    assert caught.value.code == RuleErrorCode.INVALID_OPERATOR
    assert caught.value.position == text.index("contains")


def test_unknown_enum_value_and_missing_action_are_positioned():
    # when
    with pytest.raises(RuleParseError) as bad_value:
        parse_rule("当客户等级为钻石时阻止")
    with pytest.raises(RuleParseError) as no_action:
        parse_rule("当订单金额>5时")

    # then
    assert bad_value.value.code == RuleErrorCode.INVALID_VALUE
    assert bad_value.value.position == len("当客户等级为")
    assert no_action.value.code == RuleErrorCode.UNKNOWN_ACTION
    assert no_action.value.position == len("当订单金额>5时")


def test_unterminated_quote_and_unsettable_field():
    # when
    with pytest.raises(RuleParseError) as quote:
        parse_rule('当收货地址包含"机场时阻止')
    with pytest.raises(RuleParseError) as unsettable:
        parse_rule("当周末时设置订单金额为5")

    # then
    assert quote.value.position == len("当收货地址包含")
    assert unsettable.value.code == RuleErrorCode.INVALID_ACTION
