"""The clerk's pages on a phone (390×844, Chromium): receive, pick and ship, transfer, count and stock lookup
fit the screen (no sideways scrolling), tables read as cards, the navigation is grouped by job. Screenshots
go to var/test-artifacts/browser/<test>/ for a person to look at."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context

from tests.browser.support import AppServer, db_call, new_context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_SIDEWAYS_SCROLL_JS = "document.scrollingElement.scrollWidth <= window.innerWidth"
LONG_NAME = "特级初榨橄榄油 500ml 玻璃瓶装（意大利进口，冷榨）"


def build_phone_shop(slug: str) -> dict[str, Any]:
    """A food company with one document waiting at each of the clerk's steps; returns the pages and sign-in."""
    from core.counts.services import create_cycle_count, start_counting
    from core.inventory.factories import make_item, make_stock_location, receive
    from core.logistics.services import TransferLineInput, create_transfer, ship_transfer
    from core.partners.services import create_customer, create_supplier
    from core.purchasing import services as purchasing
    from core.sales import services as sales
    from tests.conftest import _provision

    info = _provision(slug, ("food",))
    with schema_context(info.schema):
        oil = make_item(f"OIL-{uuid.uuid4().hex[:4]}", name_zh=LONG_NAME, lot_tracked=True, shelf_life_days=365)
        rice = make_item(f"RICE-{uuid.uuid4().hex[:4]}", name_zh="东北五常大米 5kg")
        main, shop = make_stock_location("WH-MAIN"), make_stock_location("SHOP-1")
        receive(oil, main, "40", lot_code="L2026-11", expiry_date=date.today() + timedelta(days=200))
        receive(rice, main, "30")
        supplier = create_supplier(code="SUP-OIL", name="意大利橄榄油进口商")
        customer = create_customer(code="CUS-1", name="城西便利店")
        po = purchasing.create_purchase_order(
            supplier=supplier,
            destination=main,
            lines=[
                purchasing.OrderLineInput(oil.pk, Decimal("24"), Decimal("38.5")),
                purchasing.OrderLineInput(rice.pk, Decimal("10")),
            ],
            actor="owner",
        )
        purchasing.submit_purchase_order(po, actor="owner")
        po.refresh_from_db()
        if po.state == "submitted":
            purchasing.approve_purchase_order(po, actor="owner")
        purchasing.send_purchase_order(po, actor="owner")
        so = sales.create_sales_order(
            customer=customer,
            source=main,
            lines=[sales.SalesLineInput(oil.pk, Decimal("6")), sales.SalesLineInput(rice.pk, Decimal("2"))],
            actor="owner",
        )
        sales.confirm_sales_order(so, actor="owner")
        sales.allocate_sales_order(so, actor="owner")
        sales.pick_sales_order(so, actor="owner")
        transfer = create_transfer(
            from_location=main, to_location=shop, lines=[TransferLineInput(rice.pk, Decimal("5"))], actor="owner"
        )
        ship_transfer(transfer, actor="owner")
        count = create_cycle_count(location=main, actor="owner")
        start_counting(count, actor="owner")
        return {
            "email": info.owner_email,
            "password": info.password,
            "pages": {
                "receive": f"/purchase-orders/{po.pk}/",
                "pick-and-ship": f"/sales-orders/{so.pk}/",
                "transfer": f"/transfers/{transfer.pk}/",
                "count": f"/counts/{count.pk}/",
                "stock-lookup": f"/stock/?item={oil.sku}",
            },
        }


def test_the_clerks_pages_fit_a_phone(live_app: AppServer, chromium: Any, artifacts: Path, created_slugs: list[str]) -> None:
    # given a company with work waiting at every step, and a clerk's phone
    slug = f"p{uuid.uuid4().hex[:10]}"
    created_slugs.append(slug)
    shop = db_call(build_phone_shop, slug)
    context = new_context(chromium, "zh-CN", phone=True)
    page = context.new_page()
    try:
        page.goto(live_app.tenant_url(slug, "/login/"))
        page.fill("input[name=username]", shop["email"])
        page.fill("input[name=password]", shop["password"])
        page.click("form button[type=submit]:has-text('登录')")
        page.wait_for_url(live_app.tenant_url(slug, "/"))

        # the navigation is one menu button, grouped by job once opened
        assert page.locator("header nav").is_hidden()
        page.click("label.nav-toggle-button")
        groups = page.locator("header nav .nav-group-label").all_inner_texts()
        assert groups[:5] == ["进货", "销货", "库存", "计划", "设置"], groups
        assert page.evaluate(NO_SIDEWAYS_SCROLL_JS)
        page.screenshot(path=str(artifacts / "00-menu.png"), full_page=True)

        for name, path in shop["pages"].items():
            # when each page is opened on the phone
            page.goto(live_app.tenant_url(slug, path))
            page.wait_for_load_state("load")
            page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)

            # then nothing is wider than the screen, tables read as labelled cards, targets are thumb-sized
            width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert page.evaluate(NO_SIDEWAYS_SCROLL_JS), f"{name}: page {width[0]} px wide on a {width[1]} px screen"
            labelled = page.locator(".table-wrap td[data-label]")
            assert labelled.count() > 0, f"{name}: no card labels"
            heights = page.evaluate(
                "Array.from(document.querySelectorAll('main button, main input:not([type=hidden]):not([type=checkbox])'))"
                ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
            )
            assert heights and min(heights) >= 40, f"{name}: small targets {sorted(heights)[:3]}"
        # the long item name wraps as words, not one character per line
        name_box = page.locator(f"text={LONG_NAME}").first.bounding_box()
        assert name_box is not None and name_box["width"] > 120
    finally:
        context.close()
