"""The manufacturing rule pack: every rule compiles, fires on a matching case and not on a near miss; the pack
loads into a tenant, and the ECO rule stops a review in the real pipeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.events.exceptions import TransitionVetoed
from core.events.webhooks import drain_outbox
from core.inventory.factories import make_stock_location
from core.rules.conditions import compile_tree
from core.rules.evaluator import make_lookup
from core.rules.grammar.parser import parse_rule
from core.rules.models import Rule, RuleEvaluation
from core.rules.packs import load_rule_pack
from verticals.discrete_mfg import boms
from verticals.discrete_mfg.factories import draft_bom, make_part, release_bom
from verticals.discrete_mfg.models import EcoState
from verticals.discrete_mfg.mrp import run_mrp
from verticals.discrete_mfg.rules import PACK
from verticals.discrete_mfg.work_orders import create_work_order

D = Decimal


def eco(**values):
    base = {"open_work_orders": 0, "open_purchase_orders": 0, "idle_stock_value": 0, "moved_sales_orders": 0, "parents": 0,
            "cost_change_percent": 0, "lead_time_change_days": 0, "removed_parts": 0}  # fmt: skip
    return {"eco": {k: D(str(v)) for k, v in {**base, **values}.items()}}


def wo(**values):
    base = {"quantity": 10, "waiting_components": 0, "scrap_percent": 0, "days_late": 0, "labour_overrun_percent": 0}
    return {"work_order": {k: D(str(v)) for k, v in {**base, **values}.items()}}


def planned(**values):
    base = {"kind": "purchase", "p90_days_late": -30, "lead_time_spread_days": 0, "release_overdue_days": 0, "value": 0,
            "in_cny_window": False, "category": "", "is_flagged": False}  # fmt: skip
    return {"planned_order": {**base, **values}}


def idle(**values):
    return {"idle": {"days": 10, "value": D(0), "used_in_bom": False, "on_hand": D(1), **values}}


# rule key → (a context it fires on, a near miss it must not fire on)
CASES = {
    "eco_many_wip": (eco(open_work_orders=6), eco(open_work_orders=5)),
    "eco_idle_value": (eco(idle_stock_value=50000), eco(idle_stock_value="49999.99")),
    "eco_cost_up": (eco(cost_change_percent="5.01"), eco(cost_change_percent=5)),
    "eco_cost_down_notice": (eco(cost_change_percent=-3), eco(cost_change_percent="-2.99")),
    "eco_promise_moves": (
        eco(moved_sales_orders=1, lead_time_change_days=2),
        eco(moved_sales_orders=1, lead_time_change_days=-2),
    ),
    "eco_open_po_notice": (eco(open_purchase_orders=1), eco(open_purchase_orders=0)),
    "eco_wide_reach": (eco(parents=20), eco(parents=19)),
    "eco_lead_time_long": (eco(lead_time_change_days=8), eco(lead_time_change_days=7)),
    "eco_many_removed": (eco(removed_parts=10), eco(removed_parts=9)),
    "eco_released_notice": (eco(open_work_orders=1), eco(open_work_orders=0)),
    "wo_short_release": (wo(waiting_components=3), wo(waiting_components=2)),
    "wo_short_notice": (wo(waiting_components=2), wo(waiting_components=3)),
    "wo_big_batch": (wo(quantity=1000), wo(quantity=999)),
    "wo_late_release": (wo(days_late=1), wo(days_late=0)),
    "wo_high_scrap": (wo(scrap_percent="5.5"), wo(scrap_percent=5)),
    "wo_very_high_scrap": (wo(scrap_percent=16), wo(scrap_percent=15)),
    "wo_labour_overrun": (wo(labour_overrun_percent=21), wo(labour_overrun_percent=20)),
    "expedite_p90_late": (planned(p90_days_late=1), planned(p90_days_late=1, kind="work")),
    "expedite_p90_very_late": (planned(p90_days_late=8), planned(p90_days_late=7)),
    "release_overdue": (planned(release_overdue_days=2), planned(release_overdue_days=0)),
    "volatile_lead_time": (planned(lead_time_spread_days=15), planned(lead_time_spread_days=14)),
    "cny_window": (planned(in_cny_window=True), planned(in_cny_window=True, kind="work")),
    "mould_long_lead": (planned(category="注塑模具", p90_days_late=-10), planned(category="注塑模具", p90_days_late=-20)),
    "large_planned_purchase": (planned(value=D(100000)), planned(value=D(99999))),
    "cancelled_demand": (planned(is_flagged=True), planned(is_flagged=False)),
    "idle_180_return": (idle(days=181), idle(days=181, used_in_bom=True)),
    "idle_90_reuse": (idle(days=91, used_in_bom=True), idle(days=91, used_in_bom=False)),
    "idle_big_value": (idle(days=61, value=D(20000)), idle(days=59, value=D(20000))),
}


def test_the_pack_has_at_least_25_rules_each_with_a_case():
    assert len(PACK) >= 25
    assert {rule["key"] for rule in PACK} == set(CASES)


@pytest.mark.parametrize("rule", PACK, ids=[rule["key"] for rule in PACK])
def test_each_rule_fires_on_a_match_and_not_on_a_near_miss(rule):
    parsed = parse_rule(rule["text"])
    predicate = compile_tree(parsed.condition)
    match, miss = CASES[rule["key"]]
    assert predicate(make_lookup(match)) is True
    assert predicate(make_lookup(miss)) is False
    assert parsed.actions and parsed.actions[0]["type"] in {"require_approval", "notify"}


@pytest.mark.usefixtures("in_alpha")
def test_the_pack_loads_idempotently():
    first = load_rule_pack("discrete_mfg")
    again = load_rule_pack("discrete_mfg")
    assert len(first.created) == len(PACK) and again.created == [] and len(again.unchanged) == len(PACK)
    assert Rule.objects.filter(module="discrete_mfg").count() == len(PACK)


@pytest.mark.usefixtures("in_alpha")
def test_an_eco_over_five_open_work_orders_waits_for_the_engineering_manager():
    # given: the pack, and six open work orders on the motor
    load_rule_pack("discrete_mfg")
    plant = make_stock_location("WH-RULE")
    part, motor = make_part("RU-PART"), make_part("RU-MOTOR", make=True)
    release_bom(motor, [(part, 1)])
    for _ in range(6):
        create_work_order(motor.pk, D(1), source=plant, destination=plant, actor="planner")
    change = draft_bom(motor, [(part, 2)])
    # when / then: the review is vetoed pending approval
    with pytest.raises(TransitionVetoed) as vetoed:
        boms.submit_eco(change, actor="eng")
    assert "工程经理" in str(vetoed.value)
    change.refresh_from_db()
    assert change.state == EcoState.DRAFT
    # with five it goes to review
    other_motor = make_part("RU-MOTOR2", make=True)
    release_bom(other_motor, [(part, 1)])
    for _ in range(5):
        create_work_order(other_motor.pk, D(1), source=plant, destination=plant, actor="planner")
    fine = draft_bom(other_motor, [(make_part("RU-PART2"), 1)])  # same cost, same lead time
    boms.submit_eco(fine, actor="eng")
    assert fine.state == EcoState.REVIEW


@pytest.mark.usefixtures("in_alpha")
def test_the_mrp_run_event_runs_the_expedite_rule_on_its_planned_orders():
    from core.partners.services import create_customer
    from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order

    load_rule_pack("discrete_mfg")
    plant = make_stock_location("WH-RULE2")
    part = make_part("RU-SLOW", lead_time_days=30)
    product = make_part("RU-PRODUCT", make=True, lead_time_days=1)
    release_bom(product, [(part, 1)])
    order = create_sales_order(
        customer=create_customer(code="C-RU", name="客户"), source=plant, lines=[SalesLineInput(product.pk, D(3))], actor="sales"
    )
    confirm_sales_order(order, actor="sales")
    run_mrp(plant.pk)
    drain_outbox()
    fired = RuleEvaluation.objects.filter(event_type="mrp.planned", matched=True).values_list("version__rule__name", flat=True)
    assert "交期 P90 晚于需求：催货" in set(fired) and "计划订单逾期未下达" in set(fired)


@pytest.mark.usefixtures("in_alpha")
def test_a_vetoing_rule_with_a_bare_percent_in_its_name_and_message_reads_back_unchanged():
    # given: a tenant rule whose name and message carry a bare % (Django formats a ValidationError's message
    # with its params, which used to raise on it and surface as a 500)
    from core.rules.services import create_rule

    create_rule(
        name="成本涨 5% 需审批",
        trigger="engineering_change.review",
        text='当ECO影响在制工单>0时，需要经理审批："成本上升 5% 以上，需工程经理审批"',
        module="discrete_mfg",
    )
    plant = make_stock_location("WH-PCT")
    part, motor = make_part("PCT-PART"), make_part("PCT-MOTOR", make=True)
    release_bom(motor, [(part, 1)])
    create_work_order(motor.pk, D(1), source=plant, destination=plant, actor="planner")
    change = draft_bom(motor, [(part, 2)])
    # when: the review is vetoed
    with pytest.raises(TransitionVetoed) as vetoed:
        boms.submit_eco(change, actor="eng")
    # then: the message is the rule's own text, % and all, and nothing moved
    assert "成本上升 5% 以上" in str(vetoed.value)
    assert "%%" not in str(vetoed.value)
    assert " ".join(vetoed.value.error.messages) == str(vetoed.value)
    change.refresh_from_db()
    assert change.state == EcoState.DRAFT
