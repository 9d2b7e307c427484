"""In a real browser, in zh-hans: the manufacturing pages of the pump demo — the ECO impact report, the BOM tree,
the MRP workbench's run and release, and the line-side work order on a 390×844 phone (issue, then complete)
with no sideways scrolling. No page shows an ASCII error code. Screenshots go to var/test-artifacts."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context

from tests.browser.support import AppServer, db_call, new_context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERROR_CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b")  # NO_SUPPLIER, BOM_CYCLE …: never for a reader's eyes
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


PASSWORD = "Sturdy-walnut-93!"


def _provision(slug: str) -> str:
    """A committed tenant with the manufacturing module (and the pump demo built by `_demo`); returns its schema."""
    from tenants.services import provision_tenant

    tenant = provision_tenant("泵业测试", slug, f"owner@{slug}.example.com", PASSWORD, ("discrete_mfg",), "zh-hans")
    return str(tenant.schema_name)


def _delete(slug: str) -> None:
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    for tenant in Tenant.objects.filter(slug=slug):
        delete_tenant(tenant)


def _demo(schema: str) -> dict[str, int]:
    from core.catalog.models import Item
    from core.inventory.factories import receive
    from core.locations.models import Location
    from verticals.discrete_mfg.demo import build_pump_demo
    from verticals.discrete_mfg.models import EngineeringChange, WorkOrder

    with schema_context(schema):
        build_pump_demo()
        # the head's impellers are made in the plant: put ten on the shelf so the line can issue the pick list
        plant = Location.objects.get(code="PLANT-PUMP/stock")
        receive(Item.objects.get(sku="IMP-ASM"), plant, 10, unit_cost=100)
        return {
            "eco": EngineeringChange.objects.get(title="机械密封 M 型换 K 型").pk,
            "pump": Item.objects.get(sku="CP-50").pk,
            "work_order": WorkOrder.objects.get(item__sku="HEAD-ASM").pk,
        }


def _work_order_state(schema: str, pk: int) -> tuple[str, int]:
    from verticals.discrete_mfg.models import WorkOrder

    with schema_context(schema):
        order = WorkOrder.objects.get(pk=pk)
        return order.state, int(order.completed_quantity)


def _sign_in(page: Any, live_app: AppServer, slug: str, email: str, password: str) -> None:
    page.goto(live_app.tenant_url(slug, "/login/"))
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url(live_app.tenant_url(slug, "/"))


def _readable(page: Any) -> str:
    text = page.inner_text("body")
    assert not ERROR_CODE.search(text), text
    return text


def test_the_manufacturing_pages_in_chinese_and_the_line_side_on_a_phone(
    live_app: AppServer, chromium: Any, artifacts: Path, committed: None
) -> None:
    slug = f"mfg{uuid.uuid4().hex[:8]}"
    schema = db_call(_provision, slug)
    try:
        _walk_the_pages(live_app, chromium, artifacts, slug, schema)
    finally:
        db_call(_delete, slug)


def _walk_the_pages(live_app: AppServer, chromium: Any, artifacts: Path, slug: str, schema: str) -> None:
    ids = db_call(_demo, schema)
    email = f"owner@{slug}.example.com"
    desk = new_context(chromium, "zh-CN")
    page = desk.new_page()
    try:
        _sign_in(page, live_app, slug, email, PASSWORD)
        # the ECO impact report: what the seal change touches, in Chinese
        page.goto(live_app.tenant_url(slug, f"/discrete_mfg/eco/{ids['eco']}/"))
        text = _readable(page)
        assert "在制工单" in text and "使用位置（所有层级）" in text and "CP-50" in text and "SEAL-M" in text
        page.screenshot(path=str(artifacts / "eco-impact.png"), full_page=True)
        # the BOM tree: three levels down, with the phantom kit marked
        page.goto(live_app.tenant_url(slug, f"/discrete_mfg/bom/{ids['pump']}/"))
        text = _readable(page)
        assert all(sku in text for sku in ("HEAD-ASM", "IMP-ASM", "IMP-CAST", "KIT-FAST"))
        page.screenshot(path=str(artifacts / "bom-tree.png"), full_page=True)
        # the MRP workbench: run it, then release a planned work order into a real one
        page.goto(live_app.tenant_url(slug, "/discrete_mfg/mrp/"))
        page.click('form[action$="/mrp/run/"] button[type="submit"]')
        page.wait_for_selector('button[name="action"][value="release"]')
        text = _readable(page)
        assert "计划订单" in text and "下达" in text
        page.screenshot(path=str(artifacts / "mrp-workbench.png"), full_page=True)
        page.locator('tr:has-text("计划工单") button[name="action"][value="release"]').first.click()
        page.wait_for_url(re.compile(r"/discrete_mfg/work-orders/\d+/$"))  # the new work order
        text = _readable(page)
        assert "草稿" in text and "WO000002" in text  # the demo made WO000001
    finally:
        desk.close()

    phone = new_context(chromium, "zh-CN", phone=True)
    page = phone.new_page()
    try:
        _sign_in(page, live_app, slug, email, PASSWORD)
        page.goto(live_app.tenant_url(slug, f"/discrete_mfg/work-orders/{ids['work_order']}/"))
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _readable(page)
        page.get_by_role("button", name="按领料单发料").click()
        page.wait_for_load_state()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _readable(page)
        page.fill('input[name="quantity"]', "10")
        page.get_by_role("button", name="完工").click()
        page.wait_for_load_state()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _readable(page)
        page.screenshot(path=str(artifacts / "work-order-phone.png"), full_page=True)
        assert db_call(_work_order_state, schema, ids["work_order"]) == ("completed", 10)
    finally:
        phone.close()
