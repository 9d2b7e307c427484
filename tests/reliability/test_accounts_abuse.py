"""Login brute force is throttled per account and per address, in the reader's language; a deactivated user's
API keys stop working unless an owner hands them over."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from tenants.accounts.roles import Role
from tenants.accounts.services import deactivate_user
from tests.platform.graphql_support import PASSWORD, api_key, gql, key_client, owner, person

QUERY = "query { items(first: 1) { edges { node { sku } } } }"


@pytest.fixture
def throttled(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = "5/15minute"
    settings.LOGIN_FAILURES_PER_IP = "8/15minute"
    return settings


def _login(info, username: str, password: str, address: str, language: str = "zh-hans"):
    client = Client(HTTP_HOST=info.host, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    return client.post("/login/", {"username": username, "password": password})


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(alpha, throttled):
    victim = person(alpha, Role.CLERK, "victim@alpha.example.com")
    statuses = [_login(alpha, victim.email, f"guess-{n}", f"10.0.0.{n}").status_code for n in range(5)]
    locked = _login(alpha, victim.email, PASSWORD, "10.0.1.1")
    other = _login(alpha, alpha.owner_email, alpha.password, "10.0.1.1")
    print(f"\n5 wrong passwords from 5 addresses: {statuses}; then the right one: {locked.status_code} (locked)")
    assert statuses == [200] * 5  # the form again, with its error
    assert locked.status_code == 200 and "登录失败次数过多" in locked.content.decode()
    assert other.status_code == 302, "another account on the same address is not locked"


def test_the_lockout_message_is_in_the_readers_language(alpha, throttled):
    for n in range(5):
        _login(alpha, "nobody@alpha.example.com", "wrong", f"10.1.0.{n}", "en")
    with translation.override("en"):
        english = _login(alpha, "nobody@alpha.example.com", "wrong", "10.1.1.1", "en")
    assert "Too many failed sign-in attempts" in english.content.decode()


def test_an_address_is_locked_after_too_many_failures_across_accounts(alpha, throttled):
    for n in range(8):
        _login(alpha, f"spray{n}@alpha.example.com", "Summer2026!", "10.2.0.1")
    blocked = _login(alpha, alpha.owner_email, alpha.password, "10.2.0.1")
    elsewhere = _login(alpha, alpha.owner_email, alpha.password, "10.2.0.2")
    assert blocked.status_code == 200 and "登录失败次数过多" in blocked.content.decode()
    assert elsewhere.status_code == 302


def test_deactivating_a_user_revokes_the_keys_they_created(alpha):
    admin = person(alpha, Role.ADMIN, "keymaker@alpha.example.com")
    with schema_context(alpha.schema):
        from tenants.accounts.services import create_api_key

        _, plaintext = create_api_key(admin, "Nightly ERP sync", "read")
        assert gql(key_client(alpha, plaintext), QUERY).status_code == 200
        deactivate_user(owner(alpha), admin)
    response = gql(key_client(alpha, plaintext), QUERY)
    assert response.status_code == 401


def test_an_owner_can_hand_the_keys_over_when_deactivating(alpha):
    admin = person(alpha, Role.ADMIN, "leaver@alpha.example.com")
    successor = person(alpha, Role.ADMIN, "successor@alpha.example.com")
    with schema_context(alpha.schema):
        from tenants.accounts.services import create_api_key

        key, plaintext = create_api_key(admin, "Warehouse scanner", "read")
        deactivate_user(owner(alpha), admin, keys_to=successor)
        key.refresh_from_db()
        assert key.created_by_id == successor.pk and key.revoked_at is None
    assert gql(key_client(alpha, plaintext), QUERY).status_code == 200


def test_keys_of_a_creator_deactivated_before_revocation_existed_are_refused(alpha):
    _, plaintext = api_key(alpha)
    with schema_context(alpha.schema):
        from tenants.accounts.models import User

        User.objects.filter(email=alpha.owner_email).update(is_active=False)  # as an old deactivation left it
    assert gql(key_client(alpha, plaintext), QUERY).status_code == 401
