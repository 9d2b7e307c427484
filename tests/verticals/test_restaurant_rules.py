"""The restaurant rule pack: every rule parses in the plain-language grammar, fires on a matching event and
stays quiet on a non-matching one; the pack loads into a tenant and its rules run through the evaluator."""

from __future__ import annotations

from typing import Any

import pytest

from core.rules.conditions import compile_tree
from core.rules.evaluator import evaluate, make_lookup
from core.rules.grammar.parser import parse_rule
from core.rules.packs import load_rule_pack
from verticals.restaurant.rules import RESTAURANT_RULES, RESTAURANT_TRIGGERS


def lot(**fields: Any) -> dict[str, Any]:
    return {"lot": fields}


# key → (a matching event context, a near miss: the same event with one condition not met)
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "fish_2h_above_4c_use_first": (
        lot(ingredient_group="fish", hours_since_prep=2.5, storage_temp_c=5),
        lot(ingredient_group="fish", hours_since_prep=2.5, storage_temp_c=3),
    ),
    "chopped_chilli_fish_head_2h": (
        lot(process_method="chopped", hours_since_prep=2),
        lot(process_method="steamed", hours_since_prep=2),
    ),
    "steamed_4h_discard_check": (
        lot(process_method="steamed", hours_since_prep=5),
        lot(process_method="steamed", hours_since_prep=3),
    ),
    "high_spoil_probability_alert": (lot(spoil_probability=75), lot(spoil_probability=40)),
    "medium_spoil_probability_use_first": (lot(spoil_probability=45), lot(spoil_probability=65)),
    "seafood_warm_storage": (lot(ingredient_group="seafood", storage_temp_c=6), lot(ingredient_group="meat", storage_temp_c=6)),
    "meat_warm_storage": (lot(ingredient_group="meat", storage_temp_c=8), lot(ingredient_group="meat", storage_temp_c=4)),
    "offal_12h": (lot(ingredient_group="offal", hours_since_prep=13), lot(ingredient_group="offal", hours_since_prep=10)),
    "humid_dry_goods": (lot(ingredient_group="dry", humidity_pct=80), lot(ingredient_group="dry", humidity_pct=60)),
    "greens_humidity_low": (
        lot(ingredient_group="vegetable", humidity_pct=50),
        lot(ingredient_group="vegetable", humidity_pct=90),
    ),
    "tofu_24h": (lot(ingredient_group="tofu", hours_since_prep=30), lot(ingredient_group="tofu", hours_since_prep=20)),
    "broth_48h_block": (lot(ingredient_group="broth", hours_since_prep=50), lot(ingredient_group="broth", hours_since_prep=47)),
    "shelf_life_left_20pct": (lot(shelf_life_left_pct=10), lot(shelf_life_left_pct=40)),
    "expected_waste_over_25pct": (lot(expected_waste_pct=30), lot(expected_waste_pct=10)),
    "marinated_warm": (
        lot(process_method="marinated", storage_temp_c=6, hours_since_prep=8),
        lot(process_method="marinated", storage_temp_c=6, hours_since_prep=3),
    ),
    "dairy_warm": (lot(ingredient_group="dairy", storage_temp_c=7), lot(ingredient_group="dairy", storage_temp_c=5)),
    "variance_over_5pct_count": ({"variance": {"pct": 6.5}}, {"variance": {"pct": 4}}),
    "variance_over_5pct_notify": ({"variance": {"pct": 8}}, {"variance": {"pct": 5}}),
    "variance_negative_5pct": ({"variance": {"pct": -7}}, {"variance": {"pct": -2}}),
    "variance_value_over_500": ({"variance": {"value": 800}}, {"variance": {"value": 120}}),
    "waste_value_over_300_approval": ({"waste": {"value": 350}}, {"waste": {"value": 200}}),
    "waste_value_over_1000_owner": ({"waste": {"value": 1500}}, {"waste": {"value": 900}}),
    "waste_spoiled_tag": ({"waste": {"reason": "spoiled"}}, {"waste": {"reason": "dropped"}}),
    "waste_overproduction_notify": (
        {"waste": {"reason": "overproduction", "value": 150}},
        {"waste": {"reason": "overproduction", "value": 50}},
    ),
    "daily_waste_rate_over_5pct": ({"waste": {"daily_rate_pct": 6}}, {"waste": {"daily_rate_pct": 3}}),
    "waste_returned_tag": ({"waste": {"reason": "returned"}}, {"waste": {"reason": "spoiled"}}),
    "pos_review_over_20": ({"pos": {"review_count": 25}}, {"pos": {"review_count": 3}}),
    "void_rate_over_3pct": ({"pos": {"void_pct": 4.5}}, {"pos": {"void_pct": 1}}),
    "rainy_weekend_prep": (
        {"calendar": {"is_weekend": True}, "signal": {"precipitation_probability": 70}},
        {"calendar": {"is_weekend": False}, "signal": {"precipitation_probability": 70}},
    ),
    "holiday_prep_up": ({"calendar": {"is_holiday": True}}, {"calendar": {"is_holiday": False}}),
    "covers_jump_30pct": ({"prep": {"change_pct": 35}}, {"prep": {"change_pct": 10}}),
    "covers_drop_30pct": ({"prep": {"change_pct": -40}}, {"prep": {"change_pct": -10}}),
    "hot_day_cold_dishes": ({"signal": {"temperature_c": 34}}, {"signal": {"temperature_c": 25}}),
    "big_day_covers_over_500": ({"prep": {"forecast_covers": 620}}, {"prep": {"forecast_covers": 300}}),
    "low_margin_dish": ({"dish": {"margin_pct": 40}}, {"dish": {"margin_pct": 65}}),
    "cost_up_10pct": ({"dish": {"cost_change_pct": 12}}, {"dish": {"cost_change_pct": 4}}),
    "negative_margin_block": ({"dish": {"margin_pct": -5}}, {"dish": {"margin_pct": 20}}),
    "unmet_slots_notify": ({"schedule": {"unmet_slots": 3}}, {"schedule": {"unmet_slots": 0}}),
    "overtime_over_20h": ({"schedule": {"overtime_hours": 25}}, {"schedule": {"overtime_hours": 10}}),
    "consecutive_over_8h": ({"staff": {"consecutive_hours": 10}}, {"staff": {"consecutive_hours": 8}}),
    "weekly_over_44h": ({"staff": {"weekly_hours": 48}}, {"staff": {"weekly_hours": 40}}),
    "rest_under_11h": ({"staff": {"rest_hours": 9}}, {"staff": {"rest_hours": 12}}),
    "fatigue_penalty_high": ({"schedule": {"fatigue_penalty": 60}}, {"schedule": {"fatigue_penalty": 10}}),
    "par_cover_under_50": ({"par": {"cover_pct": 30}}, {"par": {"cover_pct": 90}}),
    "par_cover_over_200": ({"par": {"cover_pct": 250}}, {"par": {"cover_pct": 150}}),
    "par_cover_under_50_weekend": (
        {"par": {"cover_pct": 60}, "calendar": {"is_weekend": True}},
        {"par": {"cover_pct": 60}, "calendar": {"is_weekend": False}},
    ),
}

RULES = {rule["key"]: rule for rule in RESTAURANT_RULES}


def test_the_pack_has_at_least_40_rules_in_both_languages_each_with_an_example():
    assert len(RESTAURANT_RULES) >= 40
    assert {rule["language"] for rule in RESTAURANT_RULES} == {"zh", "en"}
    assert set(EXAMPLES) == set(RULES)
    assert {rule["trigger"] for rule in RESTAURANT_RULES} <= set(RESTAURANT_TRIGGERS)


@pytest.mark.parametrize("key", sorted(RULES))
def test_each_rule_fires_on_a_matching_event_and_not_on_a_near_miss(key):
    # given
    rule = RULES[key]
    parsed = parse_rule(rule["text"], rule["language"])
    predicate = compile_tree(parsed.condition)
    matching, near_miss = EXAMPLES[key]
    # then
    assert parsed.actions, key
    assert predicate(make_lookup(matching)) is True
    assert predicate(make_lookup(near_miss)) is False


def test_the_pack_loads_into_a_tenant_and_a_lot_check_tags_the_fish_to_use_first(in_alpha):
    # given
    loaded = load_rule_pack("restaurant")
    assert len(loaded.created) == len(RESTAURANT_RULES)
    again = load_rule_pack("restaurant")
    assert again.created == [] and len(again.unchanged) == len(RESTAURANT_RULES)
    # when: a fish lot prepared 2.5 h ago at 5 °C is checked
    context = lot(ingredient_group="fish", process_method="raw", hours_since_prep=2.5, storage_temp_c=5, spoil_probability=20)
    result = evaluate("restaurant.lot_checked", context, subject={"type": "lot", "id": "L-1"})
    # then
    names = {name for _id, name, _version in result.matched}
    assert "鲜鱼加工超 2 小时且高于 4°C 优先使用" in names
    assert "变质概率超 60% 预警" not in names
    assert any(outcome.type == "add_tag" for outcome in result.actions)
