"""Password reset by email on a tenant host: same answer for unknown emails, a link that works once and expires."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from core.site.password_reset import RESET_LINK_TTL, reset_link_tokens
from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-harbour-4817!"


def ask_for_link(tenant: TenantInfo, email: str) -> Client:
    client = Client(HTTP_HOST=tenant.host)
    response = client.post("/account/password-reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/account/password-reset/sent/"
    return client


def mailed_path() -> str:
    match = re.search(r"http://[^/\s]+(/account/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def choose_password(client: Client, path: str) -> int:
    form_page = client.get(path)
    if form_page.status_code != 302:
        return form_page.status_code
    response = client.post(form_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    return response.status_code


def test_the_sign_in_page_links_to_the_reset(alpha: TenantInfo) -> None:
    page = Client(HTTP_HOST=alpha.host).get("/login/").content.decode()
    assert 'href="/account/password-reset/"' in page


def test_a_known_email_gets_a_link_that_sets_the_password_once(alpha: TenantInfo) -> None:
    # given a user who forgot the password
    mail.outbox.clear()
    email = alpha.owner_email
    client = ask_for_link(alpha, email)

    # when the mailed link is used to choose a new one
    assert mail.outbox[-1].to == [email]
    path = mailed_path()
    assert choose_password(client, path) == 302

    # then the new password works, and the link does not work a second time
    with schema_context(alpha.tenant.schema_name):
        from tenants.accounts.models import User

        assert User.objects.get(email=email).check_password(NEW_PASSWORD)
    again = Client(HTTP_HOST=alpha.host).get(path, follow=True)
    assert 'id="password-reset-invalid"' in again.content.decode()


def test_an_unknown_email_gets_the_same_page_and_no_mail(alpha: TenantInfo) -> None:
    mail.outbox.clear()
    ask_for_link(alpha, "nobody@nowhere.example.com")
    assert mail.outbox == []


def test_the_link_expires(alpha: TenantInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    mail.outbox.clear()
    client = ask_for_link(alpha, alpha.owner_email)
    path = mailed_path()
    later = datetime.now() + RESET_LINK_TTL + timedelta(minutes=1)
    monkeypatch.setattr(reset_link_tokens, "_now", lambda: later)

    response = client.get(path, follow=True)

    assert 'id="password-reset-invalid"' in response.content.decode()


def test_an_invitation_token_is_not_a_reset_token(alpha: TenantInfo) -> None:
    with schema_context(alpha.tenant.schema_name):
        from tenants.accounts.models import User

        user = User.objects.get(email=alpha.owner_email)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)

    response = Client(HTTP_HOST=alpha.host).get(f"/account/password-reset/{uid}/{token}/", follow=True)

    assert 'id="password-reset-invalid"' in response.content.decode()
