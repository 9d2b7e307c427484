"""Signup from the public form to a logged-in owner on the tenant's own host."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from billing.entitlements import module_access
from core.site.models import LoginHandoff
from core.site.services import SiteAddress, issue_handoff
from tenants.models import Tenant
from tests.conftest import TenantInfo
from tests.site.support import PASSWORD, public_client, signup_data, tenant_client

pytestmark = pytest.mark.django_db


def sign_up(**overrides: object) -> tuple[Client, object, dict]:
    data = signup_data(**overrides)
    client = public_client()
    response = client.post("/signup/", data)
    return client, response, data


def assert_nothing_created(slug: str) -> None:
    assert not Tenant.objects.filter(slug=slug).exists()
    assert not schema_exists(f"t_{slug}")
    assert not LoginHandoff.objects.filter(tenant__slug=slug).exists()
    assert mail.outbox == []


def test_signup_provisions_the_tenant_with_its_modules_and_an_owner() -> None:
    # when a visitor signs up with two modules
    _, response, data = sign_up(modules=["food", "retail"])

    # then the company exists with the core module and both trials
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug=data["slug"])
    assert (tenant.name, tenant.owner_email, tenant.language) == (data["company"], data["email"], "zh-hans")
    access = module_access(tenant)
    assert {code for code, a in access.items() if a.writable} == {"core", "food", "retail"}
    with schema_context(tenant.schema_name):
        from tenants.accounts.models import User

        owner = User.objects.get(email=data["email"])
        assert owner.role == "owner" and owner.check_password(PASSWORD) and owner.email_verified_at is None


def test_signup_redirects_to_the_tenant_host_and_signs_the_owner_in() -> None:
    _, response, data = sign_up()

    # the redirect goes to <slug>.<BASE_DOMAIN>, the public host's session means nothing there
    location = response["Location"]
    assert location.startswith(f"http://{data['slug']}.localhost/account/handoff/?token=")
    client, path = tenant_client(location)
    landed = client.get(path)
    assert landed.status_code == 302 and landed["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user.email == data["email"]


def test_the_redirect_keeps_the_port_the_visitor_used() -> None:
    data = signup_data()
    response = Client(HTTP_HOST="localhost:8123").post("/signup/", data)

    assert response["Location"].startswith(f"http://{data['slug']}.localhost:8123/account/handoff/")


def test_a_handoff_token_works_once() -> None:
    _, response, _data = sign_up()
    client, path = tenant_client(response["Location"])
    assert client.get(path).status_code == 302

    # a second browser replaying the same URL gets nothing
    replay, _ = tenant_client(response["Location"])
    refused = replay.get(path)

    assert refused.status_code == 400
    assert replay.get("/").status_code == 302, "still signed out"


def test_an_expired_handoff_token_is_refused() -> None:
    _, response, data = sign_up()
    LoginHandoff.objects.filter(tenant__slug=data["slug"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    client, path = tenant_client(response["Location"])

    assert client.get(path).status_code == 400
    assert client.get("/").status_code == 302


def test_a_handoff_token_for_one_tenant_does_not_open_another(alpha: TenantInfo, beta: TenantInfo) -> None:
    # given a valid token minted for alpha's owner
    token = issue_handoff(alpha.tenant, alpha.owner_email)

    # when it is presented on beta's host
    client = Client(HTTP_HOST=beta.host)
    response = client.get("/account/handoff/", {"token": token})

    # then beta refuses it, nobody is signed in there, and the token still works where it belongs
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    assert Client(HTTP_HOST=alpha.host).get("/account/handoff/", {"token": token}).status_code == 302


def test_a_forged_handoff_token_is_refused(alpha: TenantInfo) -> None:
    token = issue_handoff(alpha.tenant, alpha.owner_email)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    assert Client(HTTP_HOST=alpha.host).get("/account/handoff/", {"token": forged}).status_code == 400


def test_the_owner_lands_in_the_language_chosen_at_signup() -> None:
    _, response, _data = sign_up(language="en")
    client, path = tenant_client(response["Location"])

    client.get(path)

    assert '<html lang="en">' in client.get("/").content.decode()


def test_submitting_the_same_form_twice_gives_the_same_tenant() -> None:
    # given a signup that went through (the browser sent the form twice)
    client, _first, data = sign_up()

    # when the identical form arrives again
    second = client.post("/signup/", data)

    # then it signs the same owner in on the same, single tenant
    assert Tenant.objects.filter(slug=data["slug"]).count() == 1
    assert second.status_code == 302
    assert second["Location"].startswith(f"http://{data['slug']}.localhost/account/handoff/")
    tenant_browser, path = tenant_client(second["Location"])
    assert tenant_browser.get(path).status_code == 302
    assert len(mail.outbox) == 1, "one verification mail, not two"


def test_someone_else_taking_the_same_subdomain_gets_an_inline_error() -> None:
    _, _, data = sign_up()

    other = signup_data(slug=data["slug"], email="someone@else.example.com")
    response = public_client("en").post("/signup/", other)

    assert response.status_code == 200
    assert response.context["form"].has_error("slug", "taken")
    assert "already taken" in response.content.decode()
    assert Tenant.objects.filter(slug=data["slug"]).count() == 1


def test_a_wrong_password_on_a_repeated_submit_does_not_sign_in() -> None:
    _, _, data = sign_up()

    response = public_client().post("/signup/", {**data, "password": "Another-strong-pass-77"})

    assert response.status_code == 200
    assert response.context["form"].has_error("slug", "taken")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"modules": ["food", "spaceships"]}, "modules"),
        ({"company": "   "}, "company"),
        ({"slug": "admin"}, "slug"),
        ({"language": "fr"}, "language"),
        ({"currency": "EUR"}, "currency"),
    ],
)
def test_bad_input_shows_inline_errors_and_creates_nothing(overrides: dict, field: str) -> None:
    # when the form is posted with one bad field
    data = signup_data(**overrides)
    response = public_client("en").post("/signup/", data)

    # then the page comes back with the error next to that field, keeping what was typed
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field), form.errors
    html = response.content.decode()
    assert f'value="{data["company"]}"' in html or field == "company"
    password_input = re.search(r'<input type="password" name="password"[^>]*>', html)
    assert password_input and "value=" not in password_input.group(0), "the password is never sent back"
    # and nothing was provisioned
    assert_nothing_created(data["slug"] if field != "slug" else "admin")


def test_a_taken_slug_keeps_the_rest_of_the_form(alpha: TenantInfo) -> None:
    data = signup_data(slug=alpha.tenant.slug, company="Keep Me Ltd", email="keep@me.example.com", modules=["restaurant"])

    response = public_client("en").post("/signup/", data)

    html = response.content.decode()
    assert response.context["form"].has_error("slug", "taken")
    assert 'value="Keep Me Ltd"' in html and 'value="keep@me.example.com"' in html and f'value="{alpha.tenant.slug}"' in html
    assert 'value="restaurant" id="id_modules_2" checked' in html or 'value="restaurant"' in html.split("checked")[0][-200:]
    assert PASSWORD not in html


def test_sample_data_fills_the_new_tenant() -> None:
    from core.catalog.models import Item
    from core.purchasing.models import PurchaseOrder

    _, response, data = sign_up(sample_data="on", modules=["food"])

    assert response.status_code == 302
    tenant = Tenant.objects.get(slug=data["slug"])
    with schema_context(tenant.schema_name):
        assert Item.objects.filter(sku="SOY-500").exists()
        assert PurchaseOrder.objects.exists()


def test_without_sample_data_the_tenant_is_empty() -> None:
    from core.catalog.models import Item

    _, _, data = sign_up()

    with schema_context(Tenant.objects.get(slug=data["slug"]).schema_name):
        assert not Item.objects.exists()


def test_site_address_builds_tenant_urls() -> None:
    site = SiteAddress("https", "")

    assert site.tenant_url("acme", "/x/") == "https://acme.localhost/x/"


def test_day_old_handoffs_are_dropped_when_new_ones_are_issued(alpha: TenantInfo) -> None:
    old = issue_handoff(alpha.tenant, alpha.owner_email)
    LoginHandoff.objects.filter(tenant=alpha.tenant).update(expires_at=timezone.now() - timedelta(days=2))

    issue_handoff(alpha.tenant, alpha.owner_email)

    assert LoginHandoff.objects.filter(tenant=alpha.tenant).count() == 1
    assert Client(HTTP_HOST=alpha.host).get("/account/handoff/", {"token": old}).status_code == 400
