"""Temporary safety-stock adjustments: which items and days they cover, and how several combine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from core.catalog.models import Category
from core.inventory.factories import make_item
from core.planning import policy
from core.planning.models import SafetyStockAdjustment
from core.planning.selectors import safety_stock_factors
from tests.planning.factories import make_store_location

pytestmark = pytest.mark.usefixtures("in_alpha")
SAT = dt.date(2026, 11, 28)


def _adjust(category: str, percent: str, *, version: int | None = None, location=None, days: int = 2, event: str = "e1"):
    return SafetyStockAdjustment.objects.create(
        category_name=category,
        percent=D(percent),
        starts_on=SAT,
        ends_on=SAT + dt.timedelta(days=days - 1),
        rule_version_id=version,
        event_id=event,
        location=location,
    )


def test_an_adjustment_covers_its_category_subtree_its_days_and_its_location():
    # given
    leafy = Category.objects.create(name="叶菜")
    spinach = make_item(category_id=Category.objects.create(name="菠菜", parent=leafy).pk)
    rice = make_item(category_id=Category.objects.create(name="粮油").pk)
    here, there = make_store_location(), make_store_location()
    _adjust("叶菜", "15", version=1, location=here)
    targets = [
        (spinach.pk, spinach.category_id, here.pk),
        (spinach.pk, spinach.category_id, there.pk),
        (rice.pk, rice.category_id, here.pk),
    ]

    # when
    friday, sunday, monday = (safety_stock_factors(targets, SAT + dt.timedelta(days=n)) for n in (-1, 1, 2))

    # then
    assert friday == {} and monday == {}
    assert sunday == {(spinach.pk, here.pk): D("1.15")}


def test_one_rule_firing_twice_does_not_stack_while_different_rules_add_up():
    # given: rule 1 fired on Saturday and Sunday (overlapping), rule 2 once, plus a planner's own -10%
    leafy = Category.objects.create(name="叶菜")
    item = make_item(category_id=leafy.pk)
    location = make_store_location()
    _adjust("叶菜", "15", version=1, event="sat")
    _adjust("叶菜", "15", version=1, event="sun")
    _adjust("叶菜", "20", version=2)
    _adjust("叶菜", "-10")

    # when
    factors = safety_stock_factors([(item.pk, leafy.pk, location.pk)], SAT)

    # then
    assert factors == {(item.pk, location.pk): D("1.25")}


def test_the_factor_scales_safety_stock_and_moves_the_reorder_point_with_it():
    # given
    bands = [policy.DailyBand(D("6"), D("10"), D("14"))] * 3
    lead = policy.LeadTime(D("3"), D("1"))

    # when
    plain = policy.policy_figures(bands, lead, D("0.95"), 7)
    raised = policy.policy_figures(bands, lead, D("0.95"), 7, safety_stock_factor=D("1.15"))

    # then
    assert abs(raised.safety_stock - plain.safety_stock * D("1.15")) < D("0.001")
    assert raised.reorder_point - plain.reorder_point == raised.safety_stock - plain.safety_stock
    assert raised.lead_time_demand == plain.lead_time_demand
    assert policy.adjustment_factor({"a": D("-150")}) == 0  # never below zero safety stock


def test_a_redelivered_event_cannot_add_a_second_row():
    # given
    _adjust("叶菜", "15", version=7, event="evt_9")

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        _adjust("叶菜", "15", version=7, event="evt_9")
