"""Rule packs: loading is idempotent, a tenant's edits survive reloads, and the VIP airport rule works on real orders."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command

from core.rules import services
from core.rules.models import Rule, RuleActionLog, RulePackEntry
from core.rules.packs import CORE_PACK, load_rule_pack
from core.rules.transitions import rules_transition_hook
from core.sales.models import SalesOrder
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from tests.documents.support import make_customer, make_item, make_stock_location
from verticals.food.rules import FOOD_PACK


def test_loading_the_core_pack_twice_creates_each_rule_once(in_alpha):
    # when
    first = load_rule_pack("core")
    second = load_rule_pack("core")

    # then
    assert sorted(first.created) == sorted(spec["key"] for spec in CORE_PACK)
    assert second.created == [] and len(second.unchanged) == len(CORE_PACK)
    for spec in CORE_PACK:
        assert Rule.objects.filter(name=spec["name"]).count() == 1
    air = Rule.objects.get(pack_entry__key="vip_airport_air_freight")
    assert air.active and air.trigger == "sales_order.confirmed" and air.module == "core"
    # the board-approval pair ships on; the rules that move stock or change safety stock wait for the tenant
    assert Rule.objects.get(pack_entry__key="large_purchase_approval").active
    assert Rule.objects.get(pack_entry__key="urgent_volatile_purchase_notice").active
    assert not RulePackEntry.objects.filter(key__in=[spec["key"] for spec in FOOD_PACK]).exists()


def test_the_food_rules_that_move_stock_ship_switched_off_and_the_escalations_on(in_alpha):
    # when
    result = load_rule_pack("food")

    # then
    moving = ["near_expiry_donation", "rainy_weekend_leafy_greens"]
    escalations = ["deviation_overdue_manager", "deviation_overdue_owner"]
    assert sorted(result.created) == sorted(moving + escalations)
    for key in result.created:
        rule = Rule.objects.get(pack_entry__key=key)
        assert rule.module == "food" and rule.pack_entry.pack == "food"
        assert rule.active is (key in escalations)  # only notifying: on; moving stock waits for the tenant


def test_a_tenant_edit_survives_a_newer_pack_while_an_unedited_rule_is_upgraded(in_alpha):
    # given
    load_rule_pack("core")
    edited = Rule.objects.get(pack_entry__key="vip_airport_air_freight")
    services.update_rule(edited, text="当客户等级为VIP且订单金额>5000时，设置配送方式为快递", actor="owner@x.cn")
    newer = [
        {**spec, "version": 2, "text": spec["text"].replace("20000", "30000").replace(">=50000", ">=60000")} for spec in CORE_PACK
    ]

    # when
    result = load_rule_pack("core", newer)

    # then
    assert result.kept == ["vip_airport_air_freight"]
    edited.refresh_from_db()
    assert "5000" in edited.current_version.source_text and "快递" in edited.current_version.source_text
    approval = Rule.objects.get(pack_entry__key="large_purchase_approval")
    assert approval.current_version.number == 2
    assert "60000" in approval.current_version.source_text
    assert RulePackEntry.objects.filter(pack="core", pack_version=2).count() == len(CORE_PACK)


def test_a_rule_the_tenant_deleted_is_not_brought_back(in_alpha):
    # given
    load_rule_pack("food")
    Rule.objects.get(pack_entry__key="rainy_weekend_leafy_greens").delete()

    # when
    call_command("load_rule_packs", tenant=in_alpha.tenant.slug)

    # then
    assert not Rule.objects.filter(name=FOOD_PACK[1]["name"]).exists()


def test_the_vip_airport_rule_sets_air_priority_once_on_a_real_confirmation(in_alpha):
    # given
    load_rule_pack("core")
    order = create_sales_order(
        customer=make_customer(tier="vip"),
        source=make_stock_location(),
        lines=[SalesLineInput(item_id=make_item().pk, quantity=Decimal("100"), unit_price=Decimal("250"))],
        actor="clerk@example.com",
        shipping_address="上海浦东国际机场 T2 货运区",
        shipping_method="standard",
    )
    as_drafted = SalesOrder.objects.get(pk=order.pk)

    # when: confirmed, then the same transition evaluated again (a retried delivery) after a clerk's override
    confirm_sales_order(order, actor="clerk@example.com")
    order.refresh_from_db()
    set_by_rule = order.shipping_method
    SalesOrder.objects.filter(pk=order.pk).update(shipping_method="express")
    rules_transition_hook(as_drafted, "draft", "confirmed", "clerk@example.com")

    # then
    order.refresh_from_db()
    assert set_by_rule == "air_priority"
    assert order.shipping_method == "express"  # the second evaluation did not set it again
    logs = RuleActionLog.objects.filter(subject_type="sales_order", subject_id=str(order.pk), action_type="set_field")
    assert [log.status for log in logs] == ["done"]


def test_the_vip_airport_rule_leaves_ordinary_customers_alone(in_alpha):
    # given
    load_rule_pack("core")
    order = create_sales_order(
        customer=make_customer(),
        source=make_stock_location(),
        lines=[SalesLineInput(item_id=make_item().pk, quantity=Decimal("100"), unit_price=Decimal("250"))],
        actor="clerk@example.com",
        shipping_address="上海浦东国际机场",
        shipping_method="standard",
    )

    # when
    confirm_sales_order(order, actor="clerk@example.com")

    # then
    order.refresh_from_db()
    assert order.shipping_method == "standard"
