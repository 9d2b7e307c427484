"""Backtest with simulated supplier lead times: gamma draws from the learned mean and σ, reproducible by seed,
and the replay still never orders stock that is already on order."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from statistics import mean, stdev

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import issue, make_item, receive
from core.planning.backtest import backtest, compare_policies, lead_time_draws
from core.planning.policy import DailyBand, LeadTime, policy_figures
from tests.planning.factories import make_store_location


def test_lead_time_draws_are_reproducible_with_a_seed_and_match_the_learned_mean_and_sigma():
    # when
    first = lead_time_draws(4000, 6, 2.0, seed=7)
    again = lead_time_draws(4000, 6, 2.0, seed=7)
    other = lead_time_draws(4000, 6, 2.0, seed=8)

    # then: same seed, same supplier; whole days of at least one; mean and σ as learned (within sampling error)
    assert first == again
    assert first != other
    assert all(isinstance(days, int) and days >= 1 for days in first)
    assert mean(first) == pytest.approx(6, abs=0.15)
    assert stdev(first) == pytest.approx(2.0, abs=0.15)
    assert max(first) > 10  # right-skewed: late deliveries happen


def test_a_supplier_without_variability_always_takes_the_mean():
    assert lead_time_draws(5, 4.4, 0, seed=1) == [4] * 5


@pytest.mark.parametrize(("mean_days", "std_days"), [(0, 1.0), (5, -1.0)])
def test_impossible_lead_times_are_refused(mean_days, std_days):
    with pytest.raises(ValueError, match="lead time"):
        lead_time_draws(10, mean_days, std_days, seed=0)


def test_variable_lead_time_replays_are_reproducible_and_differ_from_the_fixed_lead_time():
    # given
    demand = [8, 12, 10, 9, 11] * 30
    options = {"lead_time_days": 5, "lead_time_std_days": 2.0, "review_period_days": 1}

    # when
    fixed = backtest(demand, "forecast", **options)
    variable = backtest(demand, "forecast", variable_lead_time=True, seed=3, **options)
    variable_again = backtest(demand, "forecast", variable_lead_time=True, seed=3, **options)

    # then
    assert fixed.mean_lead_time == 5
    assert variable == variable_again
    assert variable.mean_lead_time != 5
    assert variable.orders_placed > 0


def test_with_variable_lead_times_the_static_policy_never_orders_past_its_max():
    # given: 10 a day, lead time 5 ± 3 days, daily review: several orders are open at once and overtake each other
    demand = [10] * 200

    # when
    result = backtest(demand, "static_min_max", lead_time_days=5, lead_time_std_days=3.0, variable_lead_time=True, seed=1)

    # then: on hand + on order after any order is at most max (50 + 10) plus the rounding to a whole unit
    assert result.orders_placed > 100
    assert 50 < result.peak_position <= 61


def test_with_variable_lead_times_the_forecast_policy_never_orders_past_its_order_up_to_level():
    # given: a flat 10 a day, so the trailing forecast and the policy levels are constant
    demand = [10] * 200
    level = policy_figures(
        [DailyBand(Decimal(10), Decimal(10), Decimal(10))], LeadTime(Decimal(5), Decimal(3)), Decimal("0.95"), 1
    )

    # when
    result = backtest(demand, "forecast", lead_time_days=5, lead_time_std_days=3.0, variable_lead_time=True, seed=2)

    # then
    assert result.peak_position <= float(level.order_up_to) + 1


def test_goods_on_order_are_not_ordered_again_when_demand_stops_and_deliveries_are_late():
    # given: 60 days of demand, then none while slow, erratic deliveries are still on their way
    busy = [10] * 60
    options = {"lead_time_days": 8, "lead_time_std_days": 4.0, "variable_lead_time": True, "seed": 5}

    # when
    until_stop = backtest(busy, "static_min_max", **options)
    with_quiet_days = backtest(busy + [0] * 40, "static_min_max", **options)

    # then: not one order in the 40 quiet days — everything still arriving is counted in the position
    assert with_quiet_days.orders_placed == until_stop.orders_placed
    assert with_quiet_days.lost == until_stop.lost


def test_policies_compared_at_equal_stock_under_variable_lead_times():
    # given
    demand = [8, 12, 10, 9, 11] * 20 + [16, 24, 20, 18, 22] * 12

    # when
    comparison = compare_policies(demand, lead_time_days=4, lead_time_std_days=1.5, variable_lead_time=True, seed=11)

    # then
    forecast, static = comparison.forecast, comparison.static
    assert abs(forecast.average_stock - static.average_stock) <= 0.05 * forecast.average_stock
    assert forecast.mean_lead_time != 4 and static.mean_lead_time != 4


def test_run_backtest_command_simulates_the_suppliers_lead_time_variability(alpha):
    # given: 60 days of shipments to customers, no sourcing rule (declared 7 days, σ a quarter of it)
    with schema_context(alpha.schema):
        item = make_item()
        store = make_store_location()
        start = timezone.localdate() - timedelta(days=59)
        receive(item, store, 1000, unit_cost="3", occurred_at=timezone.make_aware(datetime.combine(start, time(6))))
        for offset in range(60):
            issue(item, store, 5, occurred_at=timezone.make_aware(datetime.combine(start + timedelta(days=offset), time(12))))

    # when
    outputs = []
    for _ in range(2):
        out = StringIO()
        call_command(
            "run_backtest",
            tenant=alpha.tenant.slug,
            sku=item.sku,
            location=store.code,
            days=60,
            variable_lead_time=True,
            seed=4,
            stdout=out,
        )
        outputs.append(out.getvalue())

    # then
    assert "variable lead time" in outputs[0] and "forecast-driven" in outputs[0]
    assert outputs[0] == outputs[1]
