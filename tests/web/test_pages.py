"""Every tenant page renders, in Chinese by default and in English on request; viewers cannot act."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import schema_context

from core.counts.services import create_cycle_count
from core.imports.services import import_file
from core.logistics.services import TransferLineInput, create_transfer
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import OrderLineInput, create_purchase_order
from core.sales.services import SalesLineInput, create_sales_order
from tenants.accounts.roles import Role
from tests.web.support import client_with_role, make_shop


def _documents(schema: str) -> dict[str, str]:
    shop = make_shop(schema)
    with schema_context(schema):
        po = create_purchase_order(
            supplier=shop.supplier,
            destination=shop.store,
            lines=[OrderLineInput(item_id=shop.item.pk, quantity=Decimal("5"), unit_price=Decimal("3"))],
            actor="owner",
        )
        so = create_sales_order(
            customer=shop.customer,
            source=shop.store,
            lines=[SalesLineInput(item_id=shop.item.pk, quantity=Decimal("2"))],
            actor="owner",
        )
        transfer = create_transfer(
            from_location=shop.store,
            to_location=shop.backroom,
            lines=[TransferLineInput(item_id=shop.item.pk, quantity=Decimal("1"))],
            actor="owner",
        )
        count = create_cycle_count(location=shop.store, actor="owner")
        job = import_file("suppliers", "code,name\nS-9,苏州供应\n".encode(), "s.csv", actor="owner")
    # url → (a Chinese label the page shows, the same label in English)
    return {
        "/": ("待审批的采购订单", "Purchase orders awaiting approval"),
        "/items/": ("新建商品", "New item"),
        "/items/new/": ("保存", "Save"),
        f"/items/{shop.item.pk}/": ("分库位库存", "Stock per location"),
        f"/items/?q={shop.item.barcodes[0]}": ("导出 CSV", "Export CSV"),
        "/stock/": ("库存头寸", "Inventory position"),
        "/purchase-orders/": ("新建采购订单", "New purchase order"),
        "/purchase-orders/new/": ("商品（扫码、SKU 或名称）", "Item (scan, SKU or name)"),
        f"/purchase-orders/{po.pk}/": ("提交", "Submit"),
        "/sales-orders/": ("新建销售订单", "New sales order"),
        "/sales-orders/new/": ("发货库位", "Ship from"),
        f"/sales-orders/{so.pk}/": ("确认", "Confirm"),
        "/transfers/": ("新建调拨", "New transfer"),
        "/transfers/new/": ("调出", "From"),
        f"/transfers/{transfer.pk}/": ("发运", "Ship"),
        "/counts/": ("库存记录准确率", "Inventory record accuracy"),
        f"/counts/{count.pk}/": ("开始盘点", "Start counting"),
        f"/timeline/purchase_order/{po.pk}/": ("时间线", "Timeline"),
        "/imports/": ("最近的导入", "Recent imports"),
        f"/imports/{job.pk}/": ("导入结果", "Import result"),
    }


def test_every_page_renders_in_chinese_by_default_and_in_english_on_request(alpha):
    # given
    pages = _documents(alpha.schema)
    client = alpha.client()

    for url, (zh, en) in pages.items():
        # when
        chinese = client.get(url)
        english = client.get(url + ("&" if "?" in url else "?") + "lang=en")

        # then
        assert chinese.status_code == 200, url
        assert zh in chinese.content.decode(), f"{url}: {zh}"
        assert english.status_code == 200, url
        assert en in english.content.decode(), f"{url}: {en}"


def test_the_language_cookie_switches_the_whole_app_to_english(alpha):
    # given
    client = alpha.client()

    # when
    client.post("/language/", {"language": "en", "next": "/purchase-orders/"})
    page = client.get("/purchase-orders/").content.decode()

    # then
    assert "New purchase order" in page
    assert "新建采购订单" not in page


def test_the_item_scan_box_jumps_to_the_scanned_item(alpha):
    # given
    shop = make_shop(alpha.schema)

    # when
    response = alpha.client().get("/items/", {"q": shop.item.barcodes[0], "go": "1"})

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/items/{shop.item.pk}/"


def test_a_viewer_sees_pages_but_cannot_act(alpha):
    # given
    shop = make_shop(alpha.schema)
    with schema_context(alpha.schema):
        po = create_purchase_order(
            supplier=shop.supplier,
            destination=shop.store,
            lines=[OrderLineInput(item_id=shop.item.pk, quantity=Decimal("5"))],
            actor="owner",
        )
    viewer = client_with_role(alpha, Role.VIEWER)

    # when
    lists = [viewer.get(url).status_code for url in ("/", "/items/", "/stock/", "/sales-orders/", "/transfers/", "/counts/")]
    page = viewer.get(f"/purchase-orders/{po.pk}/")
    submit = viewer.post(f"/purchase-orders/{po.pk}/submit/")
    create = viewer.get("/purchase-orders/new/")

    # then
    assert lists == [200] * 6
    assert page.status_code == 200
    assert 'value="submit"' not in page.content.decode()  # no buttons for a viewer
    assert submit.status_code == 403
    assert create.status_code == 403
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"


def test_a_clerk_may_operate_but_not_approve_or_import(alpha):
    # given
    clerk = client_with_role(alpha, Role.CLERK)

    # when
    imports = clerk.get("/imports/")
    stock = clerk.get("/stock/")

    # then
    assert imports.status_code == 403
    assert stock.status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(alpha):
    # when
    response = alpha.client(login=False).get("/purchase-orders/")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_items_export_is_a_csv_download(alpha):
    # given
    shop = make_shop(alpha.schema)

    # when
    response = alpha.client().get("/items/export.csv")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert shop.item.sku in response.content.decode("utf-8-sig")
