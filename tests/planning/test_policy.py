"""Policy math checked against hand-computed figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.planning import policy
from core.planning.policy import DailyBand, LeadTime


def test_lead_time_variability_alone_sets_safety_stock() -> None:
    # given: a certain 10/day demand, lead time 4 ± 1 days, 95 % service
    bands = [DailyBand(D("10"), D("10"), D("10"))] * 11

    # when
    figures = policy.policy_figures(bands, LeadTime(D("4"), D("1")), D("0.95"), 7)

    # then: σ_LTD = sqrt(4·0 + 10²·1²) = 10; SS = 1.6449 · 10; ROP = 40 + SS; OUT = ROP + 7·10
    assert figures.lead_time_sigma == D("10.0000")
    assert figures.safety_stock == D("16.4490")
    assert figures.reorder_point == D("56.4490")
    assert figures.order_up_to == D("126.4490")


def test_demand_spread_from_p10_p90_sets_safety_stock() -> None:
    # given: P10/P90 1.2816·2 either side of 10 (σ_d = 2), a fixed 4-day lead time, AX service (0.98)
    band = DailyBand(D("7.4368"), D("10"), D("12.5632"))

    # when
    figures = policy.policy_figures([band] * 4, LeadTime(D("4"), D("0")), policy.service_level_for("A", "X"), 0)

    # then: σ_LTD = sqrt(4 · 2²) = 4; z(0.98) = 2.0537
    assert figures.daily_sigma == D("2.0000")
    assert figures.lead_time_sigma == D("4.0000")
    assert figures.safety_stock == D("8.2148")
    assert figures.reorder_point == D("48.2148")


def test_order_quantity_rounds_up_to_moq_then_pack_size() -> None:
    # given: ROP 56.449, OUT 126.449 and a position of 30
    figures = policy.policy_figures([DailyBand(D("10"), D("10"), D("10"))], LeadTime(D("4"), D("1")), D("0.95"), 7)

    # when / then: raw 96.449 → MOQ 100 → 5 packs of 24 = 120
    assert policy.order_quantity(figures, D("30"), moq=D("100"), pack_size=D("24")) == D("120.0000")
    # at or above the reorder point nothing is ordered
    assert policy.order_quantity(figures, D("56.4490"), moq=D("100"), pack_size=D("24")) == D("0")


def test_declared_lead_time_is_used_until_two_receipts_were_measured() -> None:
    # when / then: the declared 10 days with an assumed CV of 0.25
    assert policy.supplier_lead_time(10, D("6"), D("0.5"), samples=1) == LeadTime(D("10"), D("2.5000"))
    assert policy.supplier_lead_time(10, D("6"), D("0.5"), samples=5) == LeadTime(D("6"), D("0.5"))


def test_service_level_per_class_with_tenant_override() -> None:
    assert policy.service_level_for("A", "X") == D("0.98")
    assert policy.service_level_for("C", "Z") == D("0.90")
    assert policy.service_level_for("", "") == D("0.95")
    assert policy.service_level_for("c", "z", {"CZ": D("0.85")}) == D("0.85")
    with pytest.raises(ValueError):
        policy.z_score(D("1"))


def test_stockout_probability_of_normal_lead_time_demand() -> None:
    # P(N(40, 10) > 40) = 0.5; P(N(40,10) > 56.449) = 0.05
    assert policy.stockout_probability(D("40"), D("10"), D("40")) == D("0.5000")
    assert policy.stockout_probability(D("40"), D("10"), D("56.449")) == D("0.0500")
    assert policy.stockout_probability(D("40"), D("0"), D("39")) == D("1")
