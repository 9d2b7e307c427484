"""In a real browser: the verification link from the signup mail confirms the email (no CSRF 403 from a
`no-referrer` page posting `Origin: null`), and "forgot your password?" mails a single-use link that
sets a new password and signs in."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import AppServer, db_call, fill_signup_form, new_context
from tests.browser.test_signup_flow import PASSWORD, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "Quiet-harbour-4817!"


def owner_is_verified(slug: str, email: str) -> bool:
    from django_tenants.utils import schema_context

    from tenants.accounts.models import User
    from tenants.models import Tenant

    with schema_context(Tenant.objects.get(slug=slug).schema_name):
        return User.objects.get(email=email).email_verified_at is not None


def sign_up(live_app: AppServer, page: Any, slug: str, email: str) -> None:
    page.goto(live_app.public_url + "/signup/")
    fill_signup_form(page, company="苏州新店", slug=slug, email=email, password=PASSWORD, modules=["food"], sample_data=False)
    page.wait_for_selector('#slug-status[data-state="available"]')
    page.click("#signup-submit")
    page.wait_for_url(live_app.tenant_url(slug, "/"))


def test_the_mailed_verification_link_confirms_the_email_in_a_real_browser(
    live_app: AppServer, page: Any, chromium: Any, artifacts: Path, created_slugs: list[str]
) -> None:
    # given a new owner who signed up and sees the "please verify" notice
    slug = f"v{uuid.uuid4().hex[:10]}"
    created_slugs.append(slug)
    email = f"owner@{slug}.example.com"
    sign_up(live_app, page, slug, email)
    assert page.locator("#verify-email-notice").is_visible()

    # when they open the link from the mail in their mail client's browser (no session) and confirm
    link = live_app.wait_for_link(r"http://\S+/account/verify/\S+/", to=email)
    mail_client = new_context(chromium, "zh-CN")
    try:
        opened = mail_client.new_page()
        opened.set_content(f'<a id="mail-link" href="{link}">验证邮箱</a>')
        opened.click("#mail-link")
        opened.wait_for_selector("#verify-email-confirm")
        shot(opened, artifacts, "01-confirm")
        opened.click("#verify-email-confirm")
        opened.wait_for_selector("#verify-result")
        shot(opened, artifacts, "02-result")
        # then the POST passed Django's origin check (a 403 page has no #verify-result)
        assert opened.get_attribute("#verify-result", "data-verified") == "yes"
        assert "CSRF" not in opened.content()
    finally:
        mail_client.close()
    assert db_call(owner_is_verified, slug, email)

    # and the notice is gone from the owner's dashboard
    page.reload()
    assert page.locator("#verify-email-notice").count() == 0


def test_forgot_password_mails_a_single_use_link_that_sets_a_new_password(
    live_app: AppServer, page: Any, artifacts: Path, created_slugs: list[str]
) -> None:
    # given an owner who has signed out and forgotten the password
    slug = f"r{uuid.uuid4().hex[:10]}"
    created_slugs.append(slug)
    email = f"owner@{slug}.example.com"
    sign_up(live_app, page, slug, email)
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url(live_app.tenant_url(slug, "/login/"))

    # when they ask for a link from the sign-in page
    page.click("#forgot-password")
    page.fill("#id_email", email)
    shot(page, artifacts, "01-request")
    page.click("#password-reset-send")
    page.wait_for_selector("#password-reset-sent")
    link = live_app.wait_for_link(r"http://\S+/account/password-reset/[^/\s]+/[^/\s]+/", to=email)

    # and open it and choose a new password
    page.goto(link)
    page.wait_for_selector("#password-reset-choose")
    assert "/set-password/" in page.url, "the token left the address bar before the form is shown"
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    shot(page, artifacts, "02-choose")
    page.click("#password-reset-save")

    # then they land signed in on the dashboard
    page.wait_for_url(live_app.tenant_url(slug, "/"))
    assert page.locator("header form[action$='/logout/'] button").is_visible()
    shot(page, artifacts, "03-signed-in")

    # and the link is used up
    page.goto(link)
    page.wait_for_selector("#password-reset-invalid")

    # and the new password signs in, the old one no longer does
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url(live_app.tenant_url(slug, "/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:has-text('登录')")
    page.wait_for_selector(".errorlist")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form button[type=submit]:has-text('登录')")
    page.wait_for_url(live_app.tenant_url(slug, "/"))
