"""Users and API keys over GraphQL: counted pages, batched look-ups, secrets never exposed."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.graphql.schema import schema
from tenants.accounts.roles import Role
from tenants.accounts.services import create_api_key

from .graphql_support import gql, person

KEYS_PAGE = """
query($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name prefix scope modules createdAt lastUsedAt revokedAt createdBy { email role } } }
  }
}
"""


def _make_keys(info, count: int) -> None:
    # Keys made by several admins, so every page needs several creators looked up.
    admins = [person(info, Role.ADMIN, f"admin{i}@{info.tenant.slug}.example.com") for i in range(3)]
    with schema_context(info.schema):
        for i in range(count):
            create_api_key(admins[i % 3], f"key {i:02d}", "read")


def _queries_for_page(client, first: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = gql(client, KEYS_PAGE, {"first": first})
    assert response.status_code == 200 and "errors" not in response.json()
    return len(captured.captured_queries)


def test_key_page_query_count_does_not_grow_with_page_size(alpha):
    # given
    _make_keys(alpha, 12)
    client = alpha.client()
    _queries_for_page(client, 1)  # warm the per-tenant entitlement cache
    # when
    small = _queries_for_page(client, 2)
    large = _queries_for_page(client, 12)
    # then: creators come from one batched look-up, not one query per key
    assert small == large


def test_key_pages_are_counted_and_walk_forward(alpha):
    # given
    _make_keys(alpha, 5)
    client = alpha.client()
    # when
    first = gql(client, KEYS_PAGE, {"first": 3}).json()["data"]["apiKeys"]
    rest = gql(client, KEYS_PAGE, {"first": 3, "after": first["pageInfo"]["endCursor"]}).json()["data"]["apiKeys"]
    # then
    assert first["totalCount"] == rest["totalCount"] == 5
    assert [edge["node"]["name"] for edge in first["edges"] + rest["edges"]] == [f"key {i:02d}" for i in reversed(range(5))]
    assert first["pageInfo"]["hasNextPage"] is True and rest["pageInfo"]["hasNextPage"] is False
    node = first["edges"][0]["node"]
    assert node["createdBy"]["role"] == "ADMIN" and node["scope"] == "READ" and node["revokedAt"] is None


def test_the_schema_never_exposes_a_secret():
    # given
    printed = str(schema)
    api_key_type = printed[printed.index("type ApiKey implements Node") :].split("}")[0]
    user_type = printed[printed.index("type User implements Node") :].split("}")[0]
    # then
    assert "hashedSecret" not in printed and "password" not in user_type
    for field in ("name", "prefix", "scope", "modules", "createdAt", "lastUsedAt", "revokedAt"):
        assert f"  {field}" in api_key_type


def test_users_filter_by_activity(alpha):
    # given
    clerk = person(alpha, Role.CLERK)
    with schema_context(alpha.schema):
        clerk.is_active = False
        clerk.save(update_fields=["is_active"])
    # when
    active = gql(alpha.client(), "{ users(isActive: true) { totalCount edges { node { email } } } }").json()
    inactive = gql(alpha.client(), "{ users(isActive: false) { totalCount edges { node { email } } } }").json()
    # then
    assert active["data"]["users"] == {"totalCount": 1, "edges": [{"node": {"email": alpha.owner_email}}]}
    assert inactive["data"]["users"] == {"totalCount": 1, "edges": [{"node": {"email": clerk.email}}]}
