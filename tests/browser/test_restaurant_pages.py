"""The restaurant's pages in real Chromium, in zh-hans: menu and costs, waste entry and the prep list at phone
size (390×844, no horizontal scroll), the schedule page solving a week, the POS review queue settling a line.
No page shows an ASCII error code. Screenshots go to var/test-artifacts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.browser.support import AppServer, db_call, new_context
from tests.conftest import TenantInfo, _provision

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASCII_CODE = re.compile(r"\b[A-Z]{3,}_[A-Z_]{3,}\b")
NO_HORIZONTAL_SCROLL_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _restaurant_tenant() -> TenantInfo:
    from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
    from verticals.restaurant.demo import build_hotpot_chain
    from verticals.restaurant.models import LabourRegion, StaffMember

    info = _provision(f"r{uuid.uuid4().hex[:10]}", ("restaurant",))
    with schema_context(info.schema):
        outlet = build_hotpot_chain(outlets=1, prefix="BR").outlets[0]
        LabourRegion.objects.get_or_create(code="CN")
        for n, roles in enumerate((["chef"], ["chef"], ["server"], ["server", "cashier"], ["manager", "server"])):
            StaffMember.objects.create(outlet=outlet, name=f"员工{n}", roles=roles)
        ingest_ticket_lines(outlet.pk, [TicketLineInput("BR-1", 1, "NOT-ON-MENU", 1, timezone.now())])
    return info


def _delete(info: TenantInfo) -> None:
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    delete_tenant(Tenant.objects.get(pk=info.tenant.pk))


@pytest.fixture(scope="module")
def resto(tenants_setup: dict, django_db_blocker: Any, live_app: AppServer) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock():
        info = db_call(_restaurant_tenant)
        yield info
        db_call(_delete, info)


def sign_in(page: Any, app: AppServer, info: TenantInfo) -> None:
    page.goto(app.tenant_url(info.tenant.slug, "/login/"))
    page.fill('input[name="username"]', info.owner_email)
    page.fill('input[name="password"]', info.password)
    page.click('button[type="submit"]')
    page.wait_for_url(re.compile(r".*/$"))


def no_error_codes(page: Any) -> None:
    text = page.inner_text("body")
    assert not ASCII_CODE.search(text), ASCII_CODE.search(text)


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_menu_and_costs_in_chinese(resto: TenantInfo, live_app: AppServer, page: Any, artifacts: Path) -> None:
    sign_in(page, live_app, resto)
    page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/menu/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "菜品与成本" in page.inner_text("h1")
    assert "精品肥牛" in page.inner_text("table") and "17.00" in page.inner_text("table")
    no_error_codes(page)
    shot(page, artifacts, "menu")


def test_waste_entry_and_prep_list_fit_a_phone(resto: TenantInfo, live_app: AppServer, chromium: Any, artifacts: Path) -> None:
    context = new_context(chromium, "zh-CN", phone=True)
    page = context.new_page()
    try:
        sign_in(page, live_app, resto)
        page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/waste/"))
        assert page.evaluate(NO_HORIZONTAL_SCROLL_JS), "the waste form scrolls sideways on a phone"
        page.fill('input[name="quantity"]', "0.5")
        page.check('input[name="reason"][value="spoiled"]')
        page.click('main form[enctype] button[type="submit"]')
        page.wait_for_selector(".messages .success")
        assert "报损已登记" in page.inner_text(".messages")
        assert page.evaluate(NO_HORIZONTAL_SCROLL_JS)
        no_error_codes(page)
        shot(page, artifacts, "waste-phone")
        page.fill('input[name="quantity"]', "abc")
        page.check('input[name="reason"][value="spoiled"]')
        page.click('main form[enctype] button[type="submit"]')
        page.wait_for_selector(".messages .error")
        no_error_codes(page)
        page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/prep/"))
        assert page.evaluate(NO_HORIZONTAL_SCROLL_JS), "the prep list scrolls sideways on a phone"
        no_error_codes(page)
        shot(page, artifacts, "prep-phone")
        page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/receiving/"))
        assert page.evaluate(NO_HORIZONTAL_SCROLL_JS), "receiving scrolls sideways on a phone"
        assert "收货" in page.inner_text("h1")
    finally:
        shot(page, artifacts, "zz-phone-last")
        context.close()


def test_schedule_page_plans_a_week_and_explains_the_gaps(
    resto: TenantInfo, live_app: AppServer, page: Any, artifacts: Path
) -> None:
    sign_in(page, live_app, resto)
    page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/schedule/"))
    page.click('main form[method="post"] button[type="submit"]')
    page.wait_for_selector(".messages")
    no_error_codes(page)
    shot(page, artifacts, "schedule")
    assert "排班已保存" in page.inner_text(".messages") or "没有" in page.inner_text(".messages")


def test_pos_review_queue_settles_an_unknown_dish(resto: TenantInfo, live_app: AppServer, page: Any, artifacts: Path) -> None:
    sign_in(page, live_app, resto)
    page.goto(live_app.tenant_url(resto.tenant.slug, "/restaurant/pos/review/"))
    row = page.locator("tr", has_text="NOT-ON-MENU")
    assert row.count() == 1
    no_error_codes(page)
    row.locator('input[name="dish_code"]').fill("D-TOFU")
    row.locator('button[type="submit"]').click()
    page.wait_for_selector(".messages")
    no_error_codes(page)
    shot(page, artifacts, "review")
    assert page.locator("tr", has_text="NOT-ON-MENU").count() == 0
