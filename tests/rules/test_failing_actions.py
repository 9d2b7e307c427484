"""A rule whose action fails on a real document: the transition goes ahead, the document stays consistent, the
failure is logged on the action log and in the audit row."""

from __future__ import annotations

from decimal import Decimal

from core.inventory.models import StockMove
from core.rules import services
from core.rules.models import RuleActionLog, RuleEvaluation
from core.sales.models import SalesOrder
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from tests.documents.support import make_customer, make_item, make_stock_location


def test_a_failing_action_on_a_real_sales_order_is_logged_and_the_rest_applies(in_alpha):
    # given: the second action cannot apply to a sales order (a lot transfer needs a lot)
    services.create_rule(
        name="air and donate",
        trigger="sales_order.confirmed",
        condition={"field": "order.total", "op": "gt", "value": 100},
        actions=[
            {"type": "set_field", "field": "order.shipping_method", "value": "air_priority"},
            {"type": "create_document", "kind": "transfer", "params": {"destination": "donation"}},
            {"type": "set_field", "field": "order.note", "value": "规则已处理"},
        ],
    )
    order = create_sales_order(
        customer=make_customer(),
        source=make_stock_location(),
        lines=[SalesLineInput(item_id=make_item().pk, quantity=Decimal("2"), unit_price=Decimal("80"))],
        actor="clerk@example.com",
        shipping_method="standard",
    )
    moves_before = StockMove.objects.count()

    # when
    confirm_sales_order(order, actor="clerk@example.com")

    # then: confirmed, both field changes applied, nothing moved, the failure on record
    saved = SalesOrder.objects.get(pk=order.pk)
    assert (saved.state, saved.shipping_method, saved.notes) == ("confirmed", "air_priority", "规则已处理")
    assert saved.total == Decimal("160.00") and saved.lines.count() == 1
    assert StockMove.objects.count() == moves_before
    logs = dict(RuleActionLog.objects.filter(subject_id=str(order.pk)).values_list("action_index", "status"))
    assert logs == {0: "done", 1: "failed", 2: "done"}
    assert "lot" in RuleActionLog.objects.get(subject_id=str(order.pk), action_index=1).detail
    audit = RuleEvaluation.objects.get(subject_type="sales_order", subject_id=str(order.pk))
    assert audit.matched and any("create_document" in error for error in audit.errors)
