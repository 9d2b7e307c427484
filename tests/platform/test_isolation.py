"""Tenant isolation: what tenant A writes, and A's sessions and keys, mean nothing on tenant B's host."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.accounts.roles import Role

from .graphql_support import PASSWORD, api_key, gql, key_client, person

USERS = "{ users { totalCount edges { node { email } } } }"


def test_user_created_in_a_is_invisible_from_b(alpha, beta):
    # given
    clerk = person(alpha, Role.CLERK, "only-in-alpha@example.com")
    # when
    seen_by_a = gql(alpha.client(), USERS).json()["data"]["users"]
    seen_by_b = gql(beta.client(), USERS).json()["data"]["users"]
    login_on_b = Client(HTTP_HOST=beta.host).post("/login/", {"username": clerk.email, "password": PASSWORD})
    # then
    assert clerk.email in str(seen_by_a)
    assert seen_by_b == {"totalCount": 1, "edges": [{"node": {"email": beta.owner_email}}]}
    assert login_on_b.status_code == 200, "the login form is shown again: no such user on beta"
    assert "_auth_user_id" not in login_on_b.client.session


def test_session_of_a_means_nothing_on_b(alpha, beta):
    # given: a signed-in session on alpha, its cookie replayed against beta's host
    stolen = alpha.client().cookies["sessionid"].value
    on_b = Client(HTTP_HOST=beta.host)
    on_b.cookies["sessionid"] = stolen
    # when
    api = gql(on_b, "{ me { email } }")
    page = on_b.get("/")
    # then
    assert api.status_code == 401
    assert api.json()["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert page.status_code == 302 and page["Location"].startswith("/login/")


def test_api_key_of_a_is_rejected_on_b(alpha, beta):
    # given
    _, plaintext = api_key(alpha, "read_write")
    # when
    on_a = gql(key_client(alpha, plaintext), "{ me { apiKeyPrefix } }")
    on_b = gql(key_client(beta, plaintext), "{ me { apiKeyPrefix } }")
    # then
    assert on_a.status_code == 200
    assert on_b.status_code == 401
    assert on_b.json()["errors"][0]["message"] == "Invalid or revoked API key."


def test_unknown_host_is_404_and_touches_no_tenant_schema(alpha):
    # given
    stranger = Client(HTTP_HOST="nobody.localhost")
    # when
    with CaptureQueriesContext(connection) as queries:
        page = stranger.get("/")
        api = gql(stranger, "{ me { email } }")
        login = stranger.post("/login/", {"username": alpha.owner_email, "password": alpha.password})
    # then
    assert (page.status_code, api.status_code, login.status_code) == (404, 404, 404)
    statements = " ".join(query["sql"] for query in queries.captured_queries).lower()
    assert alpha.schema not in statements
    assert "accounts_user" not in statements and "django_session" not in statements
    assert "tenants_domain" in statements, "the only lookup is the host in the public domain table"
