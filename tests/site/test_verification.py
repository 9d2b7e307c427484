"""Email verification: a signed link to the tenant host, mailed at signup, that works once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.site.services import verification_token
from tenants.models import Tenant
from tests.conftest import TenantInfo
from tests.site.support import public_client, signup_data, tenant_client

pytestmark = pytest.mark.django_db


def owner(tenant: Tenant, email: str):
    from tenants.accounts.models import User

    with schema_context(tenant.schema_name):
        return User.objects.get(email=email)


def signed_in_owner(**overrides: object) -> tuple[Client, Tenant, dict]:
    data = signup_data(**overrides)
    response = public_client().post("/signup/", data)
    client, path = tenant_client(response["Location"])
    assert client.get(path).status_code == 302
    return client, Tenant.objects.get(slug=data["slug"]), data


def mailed_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"http://\S+/account/verify/\S+/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(0)


def test_signup_mails_a_verification_link_to_the_tenant_host() -> None:
    _, tenant, data = signed_in_owner()

    message = mail.outbox[0]
    assert message.to == [data["email"]]
    assert data["company"] in message.subject and "验证" in message.subject, "in the owner's language"
    assert mailed_link().startswith(f"http://{tenant.slug}.localhost/account/verify/")


def test_the_dashboard_asks_to_verify_until_the_link_is_opened() -> None:
    # given a new owner, signed in, who has not opened the mail yet
    client, tenant, data = signed_in_owner(language="en")
    assert 'id="verify-email-notice"' in client.get("/").content.decode()

    # when the link is opened (in any browser: it needs no session) and confirmed
    link_client, path = tenant_client(mailed_link())
    assert 'id="verify-email-confirm"' in link_client.get(path).content.decode()
    response = link_client.post(path)

    # then the email is verified and the notice is gone
    assert response.status_code == 200 and 'data-verified="yes"' in response.content.decode()
    assert owner(tenant, data["email"]).email_verified_at is not None
    assert 'id="verify-email-notice"' not in client.get("/").content.decode()


def test_the_verification_link_works_once() -> None:
    _, tenant, data = signed_in_owner()
    link_client, path = tenant_client(mailed_link())
    assert link_client.post(path).status_code == 200
    verified_at = owner(tenant, data["email"]).email_verified_at

    again, reopened = link_client.post(path), link_client.get(path)

    assert again.status_code == 400 and 'data-verified="no"' in again.content.decode()
    assert reopened.status_code == 400
    assert owner(tenant, data["email"]).email_verified_at == verified_at


def test_opening_the_link_without_confirming_does_not_use_it_up() -> None:
    # given a mail scanner that opens every link it sees
    _, tenant, data = signed_in_owner()
    link_client, path = tenant_client(mailed_link())
    assert link_client.get(path).status_code == 200
    assert link_client.get(path).status_code == 200

    # then the email is still unverified, and the owner's click still works
    assert owner(tenant, data["email"]).email_verified_at is None
    assert link_client.post(path).status_code == 200
    assert owner(tenant, data["email"]).email_verified_at is not None


def test_a_verification_link_for_one_tenant_does_nothing_on_another(alpha: TenantInfo, beta: TenantInfo) -> None:
    with schema_context(alpha.schema):
        from tenants.accounts.models import User

        alpha_owner = User.objects.get(email=alpha.owner_email)
    token = verification_token(alpha.tenant, alpha_owner.pk, alpha_owner.email)

    beta_client = Client(HTTP_HOST=beta.host)
    response, confirmed = beta_client.get(f"/account/verify/{token}/"), beta_client.post(f"/account/verify/{token}/")

    assert response.status_code == 400 and confirmed.status_code == 400
    with schema_context(beta.schema):
        assert not User.objects.filter(email_verified_at__isnull=False).exists()


def test_a_tampered_link_is_refused() -> None:
    _, tenant, data = signed_in_owner()
    link_client, path = tenant_client(mailed_link())

    response = link_client.post(path.replace("/verify/", "/verify/x"))

    assert response.status_code == 400
    assert owner(tenant, data["email"]).email_verified_at is None


def test_the_owner_can_ask_for_a_new_link() -> None:
    client, _tenant, data = signed_in_owner()
    mail.outbox.clear()

    response = client.post("/account/verify/resend/", {"next": "/"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [data["email"]]
