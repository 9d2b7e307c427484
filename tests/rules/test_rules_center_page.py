"""The rules center in zh-hans: version diff badges are labels, not codes; the PO form carries the urgency rules read."""

from __future__ import annotations

from django_tenants.utils import schema_context

from core.purchasing.models import PurchaseOrder
from core.rules import services
from tests.web.support import form_token, make_shop


def test_version_history_badges_are_translated(alpha):
    # given: a rule edited once
    with schema_context(alpha.schema):
        rule = services.create_rule(name="大单", trigger="sales_order.confirmed", text="当订单金额>50000时，需要经理审批")
        services.update_rule(rule, text="当订单金额>80000时，需要经理审批", actor="boss@example.com", reason="提高门槛")

    # when
    page = alpha.client().get(f"/rules/{rule.pk}/").content.decode()

    # then
    assert "修改条件" in page and "新建" in page
    assert "condition_changed" not in page and ">created<" not in page


def test_a_purchase_order_created_on_the_page_can_be_marked_urgent(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    page = client.get("/purchase-orders/new/").content.decode()
    data = {
        "token": form_token(page),
        "supplier": shop.supplier.pk,
        "destination": shop.store.pk,
        "urgent": "on",
        "notes": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": shop.item.sku,
        "lines-0-quantity": "2",
        "lines-0-unit_price": "5",
    }

    # when
    response = client.post("/purchase-orders/new/", data)

    # then
    assert "加急采购" in page
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(supplier=shop.supplier).urgent is True
