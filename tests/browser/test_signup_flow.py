"""In a real browser: a new company signs up, lands logged in on its dashboard, sees the chart, enables a
third module on the billing page, sees its navigation, and signs out. Screenshots go to var/test-artifacts."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context

from billing.entitlements import invalidate, module_access
from tenants.models import Tenant
from tests.browser.support import CHART_DRAWN_JS, AppServer, db_call, fill_signup_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Sturdy-walnut-93!"


def writable_modules(slug: str) -> set[str]:
    tenant = Tenant.objects.get(slug=slug)
    invalidate(tenant)  # this process's cache, not the server's: read what the database says now
    return {code for code, access in module_access(tenant).items() if access.writable}


def has_sample_items(slug: str) -> bool:
    from core.catalog.models import Item

    with schema_context(Tenant.objects.get(slug=slug).schema_name):
        return Item.objects.filter(sku="SOY-500").exists()


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_signup_to_dashboard_then_enable_a_module_and_sign_out(
    live_app: AppServer, page: Any, artifacts: Path, created_slugs: list[str]
) -> None:
    slug = f"b{uuid.uuid4().hex[:10]}"
    created_slugs.append(slug)
    email = f"owner@{slug}.example.com"

    # given the landing page, in Chinese by default
    page.goto(live_app.public_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#pricing-table tbody tr").count() >= 5
    shot(page, artifacts, "01-landing")

    # when the visitor signs up with two modules and sample data
    page.click("a[href='/signup/'].big")
    fill_signup_form(
        page, company="杭州味道商贸", slug=slug, email=email, password=PASSWORD, modules=["food", "restaurant"], sample_data=True
    )
    page.wait_for_selector('#slug-status[data-state="available"]')
    shot(page, artifacts, "02-signup-filled")
    started = time.perf_counter()
    page.click("#signup-submit")

    # then they land on their own host's dashboard, signed in
    page.wait_for_url(live_app.tenant_url(slug, "/"))
    page.wait_for_function(CHART_DRAWN_JS)
    print(f"signup → dashboard with chart drawn: {time.perf_counter() - started:.2f} s")
    assert page.locator("header form[action$='/logout/'] button").is_visible()
    assert page.locator("#verify-email-notice").is_visible(), "a new owner is asked to verify the email"
    shot(page, artifacts, "03-dashboard")
    assert db_call(writable_modules, slug) == {"core", "food", "restaurant"}

    # when the owner enables a third module on the modules & billing page
    nav_retail = page.locator('header nav a[data-module="retail"]')
    assert nav_retail.count() == 0
    page.click('header nav a[href$="/settings/billing/"]')
    page.wait_for_selector("table#modules")
    shot(page, artifacts, "04-billing")
    page.click("#enable-retail")
    page.wait_for_selector('tr[data-module="retail"] #disable-retail')

    # then its navigation entry appears
    assert nav_retail.count() >= 1 and nav_retail.first.is_visible()
    shot(page, artifacts, "05-retail-enabled")

    # when they sign out, the dashboard asks for a sign-in again
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url(live_app.tenant_url(slug, "/login/"))
    page.goto(live_app.tenant_url(slug, "/"))
    assert "/login/" in page.url
    shot(page, artifacts, "06-signed-out")
    assert db_call(writable_modules, slug) == {"core", "food", "restaurant", "retail"}
    assert db_call(has_sample_items, slug), "the sample data is there"


def test_a_taken_subdomain_is_refused_inline_and_the_form_keeps_what_was_typed(
    live_app: AppServer, page: Any, artifacts: Path, tenants_setup: dict, created_slugs: list[str]
) -> None:
    taken = tenants_setup["alpha"].tenant.slug

    # when a visitor types a subdomain that is already taken
    page.goto(live_app.public_url + "/signup/")
    fill_signup_form(
        page,
        company="重名商贸",
        slug=taken,
        email="someone@else.example.com",
        password=PASSWORD,
        modules=["retail"],
        sample_data=False,
    )

    # then the live check says so before submitting
    status = page.locator('#slug-status[data-state="unavailable"]')
    status.wait_for()
    assert "已被占用" in status.inner_text()
    shot(page, artifacts, "01-live-check")

    # and submitting anyway shows the error inline, with everything but the password kept
    page.click("#signup-submit")
    page.wait_for_selector("#slug-errors .errorlist")
    assert "已被占用" in page.inner_text("#slug-errors")
    assert page.input_value("#id_company") == "重名商贸"
    assert page.input_value("#id_slug") == taken
    assert page.input_value("#id_email") == "someone@else.example.com"
    assert page.is_checked('input[name="modules"][value="retail"]')
    assert page.input_value("#id_password") == ""
    assert page.url == live_app.public_url + "/signup/"
    shot(page, artifacts, "02-submitted")
    assert db_call(lambda: Tenant.objects.filter(slug=taken).count()) == 1


def test_the_signup_page_fits_a_phone(live_app: AppServer, chromium: Any, artifacts: Path) -> None:
    from tests.browser.support import new_context

    context = new_context(chromium, "zh-CN", phone=True)
    page = context.new_page()
    try:
        page.goto(live_app.public_url + "/signup/")
        # nothing wider than the screen: no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.goto(live_app.public_url + "/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(page, artifacts, "landing-phone")
    finally:
        context.close()
