"""Users & roles, API keys, webhook endpoints and modules & billing: who may open them, what they change,
bad input refused with nothing changed, and one tenant's ids meaning nothing on another's host."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.events.models import DeliveryStatus, DomainEvent, WebhookDelivery, WebhookEndpoint
from core.events.services import create_webhook_endpoint
from tenants.accounts.models import ApiKey, User
from tenants.accounts.roles import Role
from tenants.accounts.services import authenticate_api_key, create_api_key, create_user, hash_secret
from tests.web.support import PASSWORD, client_with_role, messages_in

PAGES = ("/settings/users/", "/settings/api-keys/", "/settings/webhooks/", "/settings/billing/")


def _owner(info) -> User:
    with schema_context(info.schema):
        return User.objects.get(email=info.owner_email)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.MANAGER])
def test_roles_below_admin_cannot_open_or_post_admin_pages(alpha, role):
    client = client_with_role(alpha, role)
    html = client.get("/").content.decode()
    assert "/settings/users/" not in html  # no admin links in their navigation
    for page in PAGES:
        assert client.get(page).status_code == 403, page
    assert client.post("/settings/users/", {"email": "x@example.com", "role": "owner"}).status_code == 403
    assert client.post("/settings/api-keys/", {"name": "k", "scope": "read"}).status_code == 403
    assert client.post("/settings/billing/modules/", {"enable": "retail"}).status_code == 403
    with schema_context(alpha.schema):
        assert not User.objects.filter(email="x@example.com").exists()
        assert not ApiKey.objects.filter(name="k").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_admins_and_owners_open_every_admin_page(alpha, role):
    client = client_with_role(alpha, role) if role is Role.ADMIN else alpha.client()
    html = client.get("/").content.decode()
    for page in PAGES:
        assert f'href="{page}"' in html
        assert client.get(page).status_code == 200, page


def test_pages_are_translated(alpha):
    client = alpha.client()
    assert "用户与角色" in client.get("/settings/users/").content.decode()
    assert "模块与账单" in client.get("/settings/billing/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert "Users &amp; roles" in client.get("/settings/users/").content.decode()


# --- users -----------------------------------------------------------------------------------------


def test_owner_adds_a_user_with_a_generated_password_shown_once(alpha):
    client = alpha.client()
    response = client.post("/settings/users/", {"email": "Clerk.New@Example.com", "role": "clerk", "full_name": "小王"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r"<code[^>]*data-secret>([^<]+)</code>", response.content.decode()).group(1)
    with schema_context(alpha.schema):
        user = User.objects.get(email="clerk.new@example.com")
        assert user.role == "clerk" and user.check_password(password)
    assert password not in client.get("/settings/users/").content.decode()  # shown once
    from django.test import Client

    assert Client(HTTP_HOST=alpha.host).post("/login/", {"username": user.email, "password": password}).status_code == 302


def test_duplicate_email_and_invalid_role_are_refused_and_nothing_changes(alpha):
    client = alpha.client()
    with schema_context(alpha.schema):
        before = User.objects.count()
    duplicate = client.post("/settings/users/", {"email": alpha.owner_email.upper(), "role": "viewer", "password": PASSWORD})
    assert duplicate.status_code == 400
    assert "已被使用" in duplicate.content.decode()
    bad_role = client.post("/settings/users/", {"email": "new@example.com", "role": "emperor", "password": PASSWORD})
    assert bad_role.status_code == 400
    assert 'class="errorlist' in bad_role.content.decode()
    weak = client.post("/settings/users/", {"email": "new@example.com", "role": "viewer", "password": "12345678901"})
    assert weak.status_code == 400
    with schema_context(alpha.schema):
        assert User.objects.count() == before


def test_change_role_and_deactivate(alpha):
    client = alpha.client()
    with schema_context(alpha.schema):
        user = create_user("someone@example.com", PASSWORD, Role.VIEWER)
    client.post(f"/settings/users/{user.pk}/role/", {"role": "manager"})
    client.post(f"/settings/users/{user.pk}/deactivate/")
    with schema_context(alpha.schema):
        user.refresh_from_db()
        assert (user.role, user.is_active) == ("manager", False)


def test_the_last_owner_cannot_be_demoted_or_deactivated(alpha):
    # given the only owner, and an admin
    owner = _owner(alpha)
    admin_client = client_with_role(alpha, Role.ADMIN)
    owner_client = alpha.client()
    # when the owner demotes themself, and the admin tries to deactivate the owner
    response = owner_client.post(f"/settings/users/{owner.pk}/role/", {"role": "admin"}, follow=True)
    denied = admin_client.post(f"/settings/users/{owner.pk}/deactivate/", follow=True)
    # then clear messages, and the owner is still an active owner
    assert "公司至少需要一位在职的所有者" in " ".join(messages_in(response.content.decode()))
    assert "您的角色无权执行此操作" in " ".join(messages_in(denied.content.decode()))
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == ("owner", True)


# --- API keys --------------------------------------------------------------------------------------


def test_api_key_secret_is_shown_once_and_only_its_hash_is_stored(alpha):
    client = alpha.client()
    response = client.post("/settings/api-keys/", {"name": "ERP sync", "scope": "read_write", "modules": ["core"]})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = re.search(r"<code[^>]*data-secret>([^<]+)</code>", response.content.decode()).group(1)
    with schema_context(alpha.schema):
        key = ApiKey.objects.get(name="ERP sync")
        assert key.hashed_secret == hash_secret(secret.split("_", 2)[2]) and secret not in key.hashed_secret
        assert authenticate_api_key(secret) == key
    listing = client.get("/settings/api-keys/").content.decode()
    assert secret not in listing and f"jxc_{key.prefix}_" in listing
    # the key works against the API until revoked
    from django.test import Client

    api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json").status_code == 200
    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    with schema_context(alpha.schema):
        key.refresh_from_db()
        assert key.revoked_at is not None and authenticate_api_key(secret) is None
    assert api.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json").status_code in (401, 403)


def test_duplicate_key_name_is_refused(alpha):
    client = alpha.client()
    client.post("/settings/api-keys/", {"name": "twice", "scope": "read"})
    again = client.post("/settings/api-keys/", {"name": "twice", "scope": "read"})
    assert again.status_code == 400 and "data-secret" not in again.content.decode()
    with schema_context(alpha.schema):
        assert ApiKey.objects.filter(name="twice").count() == 1


# --- webhooks --------------------------------------------------------------------------------------


def test_webhook_endpoint_create_shows_secret_once_then_disable(alpha):
    client = alpha.client()
    response = client.post(
        "/settings/webhooks/", {"url": "https://hooks.example.com/jxc", "event_types": "purchase_order.*, sales_order.shipped"}
    )
    assert response.status_code == 200
    secret = re.search(r"<code[^>]*data-secret>([^<]+)</code>", response.content.decode()).group(1)
    with schema_context(alpha.schema):
        endpoint = WebhookEndpoint.objects.get(url="https://hooks.example.com/jxc")
        assert endpoint.secret == secret and endpoint.event_types == ["purchase_order.*", "sales_order.shipped"]
    assert secret not in client.get("/settings/webhooks/").content.decode()
    client.post(f"/settings/webhooks/{endpoint.pk}/active/", {"active": "0"})
    with schema_context(alpha.schema):
        endpoint.refresh_from_db()
        assert endpoint.active is False


def test_bad_webhook_input_is_refused(alpha):
    client = alpha.client()
    bad_url = client.post("/settings/webhooks/", {"url": "ftp://example.com/x"})
    bad_type = client.post("/settings/webhooks/", {"url": "https://hooks.example.com/a", "event_types": "Not An Event"})
    assert bad_url.status_code == 400 and bad_type.status_code == 400
    with schema_context(alpha.schema):
        assert not WebhookEndpoint.objects.filter(url__in=["ftp://example.com/x", "https://hooks.example.com/a"]).exists()


def test_recent_deliveries_show_their_status(alpha):
    with schema_context(alpha.schema):
        endpoint = create_webhook_endpoint("https://hooks.example.com/status")
        event = DomainEvent.objects.create(event_type="purchase_order.submitted", subject_type="purchase_order", subject_id=1)
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, status=DeliveryStatus.FAILED, attempts=2, last_status_code=500, request_body="{}"
        )
    html = alpha.client().get("/settings/webhooks/").content.decode()
    assert 'data-status="failed"' in html and "HTTP 500" in html and "purchase_order.submitted" in html


# --- tenant isolation ------------------------------------------------------------------------------


def test_beta_cannot_reach_alphas_users_keys_or_endpoints_by_id(alpha, beta):
    # given alpha's user, key and endpoint
    with schema_context(alpha.schema):
        victim = create_user("victim@example.com", PASSWORD, Role.CLERK)
        key, _secret = create_api_key(User.objects.get(email=alpha.owner_email), "alpha-key")
        endpoint = create_webhook_endpoint("https://hooks.example.com/alpha")
    connection.set_schema_to_public()
    beta_owner = beta.client()
    # when beta's owner lists and posts alpha's ids on beta's host
    assert "victim@example.com" not in beta_owner.get("/settings/users/").content.decode()
    assert "alpha-key" not in beta_owner.get("/settings/api-keys/").content.decode()
    assert "hooks.example.com/alpha" not in beta_owner.get("/settings/webhooks/").content.decode()
    responses = [
        beta_owner.post(f"/settings/users/{victim.pk}/deactivate/"),
        beta_owner.post(f"/settings/users/{victim.pk}/role/", {"role": "viewer"}),
        beta_owner.post(f"/settings/api-keys/{key.pk}/revoke/"),
        beta_owner.post(f"/settings/webhooks/{endpoint.pk}/active/", {"active": "0"}),
    ]
    # then ids that do not exist in beta's schema are 404 there (an id beta happens to have is beta's own row)
    with schema_context(beta.schema):
        in_beta = [
            User.objects.filter(pk=victim.pk).exists(),
            User.objects.filter(pk=victim.pk).exists(),
            ApiKey.objects.filter(pk=key.pk).exists(),
            WebhookEndpoint.objects.filter(pk=endpoint.pk).exists(),
        ]
    for response, exists in zip(responses, in_beta, strict=True):
        if not exists:
            assert response.status_code == 404
    # and alpha's records are untouched
    with schema_context(alpha.schema):
        victim.refresh_from_db()
        key.refresh_from_db()
        endpoint.refresh_from_db()
        assert (victim.is_active, victim.role, key.revoked_at, endpoint.active) == (True, "clerk", None, True)


# --- modules & billing -----------------------------------------------------------------------------


def test_enabling_a_module_adds_its_navigation_and_disabling_removes_it(alpha, django_capture_on_commit_callbacks):
    client = alpha.client()
    page = client.get("/settings/billing/").content.decode()
    assert 'id="enable-retail"' in page and 'id="disable-food"' in page
    assert 'data-module="retail"' not in client.get("/").content.decode().split("</nav>")[0]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/billing/modules/", {"enable": "retail"})
    # then
    nav = client.get("/").content.decode().split("</nav>")[0]
    assert 'data-module="retail"' in nav
    assert 'id="disable-retail"' in client.get("/settings/billing/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/billing/modules/", {"disable": "retail"})
    assert 'data-module="retail"' not in client.get("/").content.decode().split("</nav>")[0]


def test_core_module_cannot_be_switched_off_and_unknown_codes_are_refused(alpha, django_capture_on_commit_callbacks):
    client = alpha.client()
    with django_capture_on_commit_callbacks(execute=True):
        core_off = client.post("/settings/billing/modules/", {"disable": "core"}, follow=True)
        unknown = client.post("/settings/billing/modules/", {"enable": "spaceships"}, follow=True)
    assert messages_in(core_off.content.decode()) and messages_in(unknown.content.decode())
    assert 'data-module="core"' in client.get("/").content.decode()


def test_local_trial_has_no_payment_portal(alpha):
    client = alpha.client()
    page = client.get("/settings/billing/").content.decode()
    assert 'id="manage-payment"' not in page and 'id="billing-mode"' in page
    response = client.post("/settings/billing/portal/", follow=True)
    assert messages_in(response.content.decode())


def test_admin_cannot_open_the_payment_portal(alpha):
    assert client_with_role(alpha, Role.ADMIN).post("/settings/billing/portal/").status_code == 403


def test_an_invited_user_chooses_a_password_through_a_one_time_link(alpha, mailoutbox, django_capture_on_commit_callbacks):
    from django.test import Client

    # given an owner inviting a clerk
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client().post("/settings/users/", {"email": "invited@example.com", "role": "clerk", "invite": "on"})
    assert response.status_code == 200 and "data-secret" not in response.content.decode()
    # then one mail with a link on the tenant's host
    assert [m.to for m in mailoutbox] == [["invited@example.com"]]
    link = re.search(r"http://[^\s]+/invitation/[^\s]+/", mailoutbox[0].body).group(0)
    assert link.startswith(f"http://{alpha.host}/")
    path = link.split(alpha.host, 1)[1]
    # when the person opens it and chooses a password
    browser = Client(HTTP_HOST=alpha.host)
    form_page = browser.get(path, follow=True)
    assert 'id="choose-password"' in form_page.content.decode()
    done = browser.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Brave-otter-2026", "new_password2": "Brave-otter-2026"}
    )
    # then they are signed in, the password works, and the link is dead
    assert done.status_code == 302 and browser.get("/").status_code == 200
    with schema_context(alpha.schema):
        assert User.objects.get(email="invited@example.com").check_password("Brave-otter-2026")
    assert 'id="invitation-invalid"' in Client(HTTP_HOST=alpha.host).get(path, follow=True).content.decode()


def test_invitation_with_a_password_is_refused(alpha):
    response = alpha.client().post(
        "/settings/users/", {"email": "both@example.com", "role": "clerk", "invite": "on", "password": PASSWORD}
    )
    assert response.status_code == 400
    with schema_context(alpha.schema):
        assert not User.objects.filter(email="both@example.com").exists()
