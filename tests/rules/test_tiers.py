"""Customer tiers compare without regard to case: partners store "vip", the rule catalog says "VIP"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.partners.models import Customer
from core.rules import services
from core.rules.evaluator import evaluate
from core.rules.packs import load_rule_pack
from core.sales.models import SalesOrder
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from tests.documents.support import make_customer, make_item, make_stock_location


def _airport_order(customer: Customer, total_units: int = 100) -> SalesOrder:
    return create_sales_order(
        customer=customer,
        source=make_stock_location(),
        lines=[SalesLineInput(item_id=make_item().pk, quantity=Decimal(total_units), unit_price=Decimal("250"))],
        actor="clerk@example.com",
        shipping_address="北京首都国际机场 3 号航站楼",
        shipping_method="standard",
    )


@pytest.mark.parametrize("stored_tier", ["vip", "VIP"])
def test_the_vip_airport_pack_rule_matches_either_spelling_of_the_tier(in_alpha, stored_tier):
    # given: the partners' spelling, and the catalog's spelling written straight into the row
    load_rule_pack("core")
    customer = make_customer(tier="vip")
    Customer.objects.filter(pk=customer.pk).update(tier=stored_tier)
    order = _airport_order(Customer.objects.get(pk=customer.pk))

    # when
    confirm_sales_order(order, actor="clerk@example.com")

    # then
    assert SalesOrder.objects.get(pk=order.pk).shipping_method == "air_priority"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("当客户等级为vip且订单金额>20000时，设置配送方式为空运优先", "zh"),
        ("When customer tier is Vip and order total > 20000 then set shipping method to air priority", "en"),
    ],
)
def test_a_rule_written_with_another_case_is_stored_in_the_catalogs_spelling(in_alpha, text, language):
    # when
    rule = services.create_rule(name="tier", trigger="sales_order.confirmed", text=text, language=language)

    # then
    assert rule.current_version.condition["all"][0] == {"field": "customer.tier", "op": "eq", "value": "VIP"}


@pytest.mark.parametrize(
    ("tier", "matches"), [("vip", True), ("VIP", True), ("Vip", True), ("standard", False), ("wholesale", False)]
)
def test_tier_lists_compare_without_case_too(in_alpha, tier, matches):
    # given: a tree saved through the API with lower-case values
    services.create_rule(
        name="vip or key",
        trigger="sales_order.confirmed",
        condition={"field": "customer.tier", "op": "in", "value": ["vip", "KEY_ACCOUNT"]},
        actions=[{"type": "add_tag", "tag": "重点"}],
    )

    # when
    result = evaluate("sales_order.confirmed", {"customer": {"tier": tier}}, None, f"tier-{tier}", audit=False)

    # then
    assert bool(result.matched) is matches


def test_an_unknown_tier_is_still_refused_at_save(in_alpha):
    from core.rules.exceptions import RuleValidationError

    with pytest.raises(RuleValidationError):
        services.create_rule(
            name="platinum",
            trigger="sales_order.confirmed",
            condition={"field": "customer.tier", "op": "eq", "value": "platinum"},
            actions=[{"type": "block", "reason": "x"}],
        )
