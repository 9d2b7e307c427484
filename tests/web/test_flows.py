"""Document workflows driven through the pages: the stock a user sees changes exactly once per action."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from core.catalog.models import Item
from core.counts.models import CycleCount
from core.imports.models import ImportJob
from core.logistics.models import TransferOrder
from core.purchasing.models import GoodsReceipt, PurchaseOrder
from core.purchasing.services import OrderLineInput, create_purchase_order, update_purchasing_settings
from core.sales.models import SalesOrder
from tests.web.support import form_token, make_shop, messages_in, stock


def _create_po_through_the_form(client, shop, quantity: str = "12") -> PurchaseOrder:
    token = form_token(client.get("/purchase-orders/new/").content.decode())
    data = {
        "token": token,
        "supplier": shop.supplier.pk,
        "destination": shop.store.pk,
        "notes": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": shop.item.barcodes[0],  # scanned, not typed
        "lines-0-quantity": quantity,
        "lines-0-unit_price": "4.50",
    }
    response = client.post("/purchase-orders/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    again = client.post("/purchase-orders/new/", data)  # a double click on "create"
    assert again["Location"] == response["Location"]
    return PurchaseOrder.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_purchase_order_walks_through_the_pages_and_its_receipt_adds_stock(alpha):
    # given
    shop = make_shop(alpha.schema)
    with schema_context(alpha.schema):
        update_purchasing_settings(approval_threshold=Decimal("1"))  # so a manager must approve
    client = alpha.client()

    # when
    with schema_context(alpha.schema):
        po = _create_po_through_the_form(client, shop)
    for action in ("submit", "approve", "send"):
        response = client.post(f"/purchase-orders/{po.pk}/{action}/", follow=True)
        assert response.status_code == 200
    detail = client.get(f"/purchase-orders/{po.pk}/").content.decode()
    line = po.lines.get()
    received = client.post(
        f"/purchase-orders/{po.pk}/receive/", {"token": form_token(detail), f"qty-{line.pk}": "12"}, follow=True
    )

    # then
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.filter(supplier=shop.supplier).count() == 1
        assert PurchaseOrder.objects.get(pk=po.pk).state == "received"
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("32")
    assert "已收货" in received.content.decode() or "收货完成" in received.content.decode()


def test_a_double_submitted_receipt_posts_once(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    with schema_context(alpha.schema):
        po = _create_po_through_the_form(client, shop, quantity="6")
    for action in ("submit", "send"):  # below the default threshold: approved on submit
        client.post(f"/purchase-orders/{po.pk}/{action}/")
    detail = client.get(f"/purchase-orders/{po.pk}/").content.decode()
    with schema_context(alpha.schema):
        line = po.lines.get()
    form = {"token": form_token(detail), f"qty-{line.pk}": "6"}

    # when
    first = client.post(f"/purchase-orders/{po.pk}/receive/", form)
    second = client.post(f"/purchase-orders/{po.pk}/receive/", form)

    # then
    assert first.status_code == second.status_code == 302
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("26")
    with schema_context(alpha.schema):
        assert GoodsReceipt.objects.filter(purchase_order=po).count() == 1


def test_an_action_the_state_does_not_allow_shows_the_typed_error_and_changes_nothing(alpha):
    # given
    shop = make_shop(alpha.schema)
    with schema_context(alpha.schema):
        po = create_purchase_order(
            supplier=shop.supplier,
            destination=shop.store,
            lines=[OrderLineInput(item_id=shop.item.pk, quantity=Decimal("5"))],
            actor="owner",
        )
    client = alpha.client()

    # when: "send" on a draft (say, from a stale page)
    response = client.post(f"/purchase-orders/{po.pk}/send/", follow=True)

    # then
    assert response.status_code == 200
    errors = [message for message in messages_in(response.content.decode()) if "INVALID_TRANSITION" in message]
    assert errors and errors[0].startswith("单据当前状态下不能执行此步骤")
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"


def test_an_over_receipt_is_refused_on_the_page(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    with schema_context(alpha.schema):
        po = _create_po_through_the_form(client, shop, quantity="2")
    for action in ("submit", "send"):
        client.post(f"/purchase-orders/{po.pk}/{action}/")
    detail = client.get(f"/purchase-orders/{po.pk}/").content.decode()
    with schema_context(alpha.schema):
        line = po.lines.get()

    # when
    response = client.post(
        f"/purchase-orders/{po.pk}/receive/", {"token": form_token(detail), f"qty-{line.pk}": "50"}, follow=True
    )

    # then
    assert any("OVER_RECEIPT" in message for message in messages_in(response.content.decode()))
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("20")


def test_a_sales_order_ships_through_the_pages(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    token = form_token(client.get("/sales-orders/new/").content.decode())
    data = {
        "token": token,
        "customer": shop.customer.pk,
        "source": shop.store.pk,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": shop.item.sku,
        "lines-0-quantity": "3",
    }

    # when
    created = client.post("/sales-orders/new/", data)
    detail_url = created["Location"]
    for action in ("confirm", "allocate", "pick", "ship"):
        client.post(f"{detail_url}{action}/")
    page = client.get(detail_url).content.decode()

    # then
    with schema_context(alpha.schema):
        order = SalesOrder.objects.get(customer=shop.customer)
        assert order.state == "shipped"
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("17")
    assert "标记为已送达" in page  # the next step is offered


def test_a_transfer_received_short_shows_its_discrepancy(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    data = {
        "token": form_token(client.get("/transfers/new/").content.decode()),
        "from_location": shop.store.pk,
        "to_location": shop.backroom.pk,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": shop.item.sku,
        "lines-0-quantity": "5",
    }
    detail_url = client.post("/transfers/new/", data)["Location"]
    client.post(f"{detail_url}ship/", {"carrier": "顺丰", "tracking_number": "SF123", "eta": "2026-12-01T10:00"})
    with schema_context(alpha.schema):
        line = TransferOrder.objects.get(from_location=shop.store).lines.get()

    # when
    client.post(f"{detail_url}receive/", {f"qty-{line.pk}": "4", f"reason-{line.pk}": "damaged"})
    page = client.get(detail_url).content.decode()

    # then
    assert stock(alpha.schema, shop.item, shop.backroom) == Decimal("4")
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("15")
    assert "运输途中损坏" in page


def test_a_count_posts_its_adjustment_and_shows_the_accuracy(alpha):
    # given
    shop = make_shop(alpha.schema)
    client = alpha.client()
    token = form_token(client.get("/counts/").content.decode())
    detail_url = client.post("/counts/new/", {"token": token, "location": shop.store.pk})["Location"]
    client.post(f"{detail_url}start/")
    with schema_context(alpha.schema):
        line = CycleCount.objects.get(location=shop.store).lines.get()

    # when
    client.post(f"{detail_url}record/", {f"counted-{line.pk}": "18", f"reason-{line.pk}": "loss"})
    client.post(f"{detail_url}complete/")
    page = client.get(detail_url).content.decode()

    # then
    assert stock(alpha.schema, shop.item, shop.store) == Decimal("18")
    assert "0.0%" in page  # the one line counted did not match the books


def test_a_bad_import_file_lists_each_row_error_and_imports_nothing(alpha):
    # given
    client = alpha.client()
    bad = "sku,name_zh,unit,pack_size\nOK-1,好商品,pcs,1\nBAD-2,,pcs,-3\n".encode()

    # when
    response = client.post(
        "/imports/", {"kind": "items", "file": SimpleUploadedFile("items.csv", bad, content_type="text/csv")}, follow=True
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="row-errors"' in html
    assert "name_zh" in html and "pack_size" in html
    with schema_context(alpha.schema):
        assert not Item.objects.filter(sku__in=["OK-1", "BAD-2"]).exists()
        assert ImportJob.objects.get(filename="items.csv").status == "rejected"


def test_the_timeline_shows_why_the_order_waits(alpha):
    # given
    shop = make_shop(alpha.schema)
    with schema_context(alpha.schema):
        update_purchasing_settings(approval_threshold=Decimal("1"))
        po = create_purchase_order(
            supplier=shop.supplier,
            destination=shop.store,
            lines=[OrderLineInput(item_id=shop.item.pk, quantity=Decimal("5"), unit_price=Decimal("2"))],
            actor="owner",
        )
    client = alpha.client()
    client.post(f"/purchase-orders/{po.pk}/submit/")

    # when
    page = client.get(f"/timeline/purchase_order/{po.pk}/").content.decode()
    english = client.get(f"/timeline/purchase_order/{po.pk}/?lang=en").content.decode()

    # then
    assert 'data-blocking-reason="awaiting_approval"' in page
    assert "待审批" in page
    assert "Awaiting approval" in english
    assert page.count('class="bar"') == 2  # draft, submitted
