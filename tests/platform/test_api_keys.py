"""API keys: hashed at rest, shown once, revocable, scoped by read/write and by module."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.accounts.models import ApiKey

from .graphql_support import api_key, gql, key_client

pytestmark = pytest.mark.urls("tests.platform.graphql_probe")

CREATE_KEY = """
mutation($name: String!, $scope: ApiKeyScopeEnum, $modules: [String!]) {
  createApiKey(name: $name, scope: $scope, modules: $modules) {
    key
    apiKey { name prefix scope modules createdAt lastUsedAt revokedAt }
    errors { field message code }
  }
}
"""


def test_key_is_shown_once_and_only_its_hash_is_stored(alpha):
    # given
    client = alpha.client()
    # when
    created = gql(client, CREATE_KEY, {"name": "Warehouse robot", "scope": "READ_WRITE"}).json()["data"]["createApiKey"]
    listed = gql(client, "{ apiKeys { edges { node { name prefix scope } } } }").json()["data"]["apiKeys"]
    # then
    plaintext = created["key"]
    assert created["errors"] == [] and plaintext.startswith(f"jxc_{created['apiKey']['prefix']}_")
    assert listed["edges"] == [
        {"node": {"name": "Warehouse robot", "prefix": created["apiKey"]["prefix"], "scope": "READ_WRITE"}}
    ]
    assert plaintext not in str(listed)
    secret = plaintext.split("_", 2)[2]
    with schema_context(alpha.schema), connection.cursor() as cursor:
        cursor.execute("select * from accounts_apikey")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert not any(secret in str(value) for value in rows[0]), "the secret must not be stored"


def test_key_authenticates_and_records_last_use(alpha):
    # given
    key, plaintext = api_key(alpha, "read")
    assert key.last_used_at is None
    # when
    response = gql(key_client(alpha, plaintext), "{ me { apiKeyPrefix apiKeyScope } stockNote }")
    # then
    assert response.json() == {"data": {"me": {"apiKeyPrefix": key.prefix, "apiKeyScope": "read"}, "stockNote": "core data"}}
    with schema_context(alpha.schema):
        assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_revoked_key_is_rejected(alpha):
    # given
    key, plaintext = api_key(alpha, "read")
    revoked = gql(
        alpha.client(),
        "mutation($p: String!) { revokeApiKey(prefix: $p) { errors { code } apiKey { revokedAt } } }",
        {"p": key.prefix},
    )
    assert revoked.json()["data"]["revokeApiKey"]["errors"] == []
    # when
    response = gql(key_client(alpha, plaintext), "{ me { apiKeyPrefix } }")
    # then
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Invalid or revoked API key."


def test_wrong_secret_with_a_real_prefix_is_rejected(alpha):
    # given
    key, _ = api_key(alpha, "read")
    # when
    response = gql(key_client(alpha, f"jxc_{key.prefix}_not-the-secret"), "{ me { apiKeyPrefix } }")
    # then
    assert response.status_code == 401


def test_read_only_key_cannot_mutate(alpha):
    # given
    _, plaintext = api_key(alpha, "read")
    # when
    response = gql(key_client(alpha, plaintext), "mutation { touchCore { done errors { field message code } } }")
    # then
    payload = response.json()["data"]["touchCore"]
    assert payload["done"] is None
    assert payload["errors"][0]["code"] == "PERMISSION_DENIED"


def test_read_write_key_can_mutate_but_never_administer(alpha):
    # given
    _, plaintext = api_key(alpha, "read_write")
    # when
    touched = gql(key_client(alpha, plaintext), "mutation { touchCore { done errors { code } } }").json()
    escalated = gql(key_client(alpha, plaintext), CREATE_KEY, {"name": "Sneaky", "scope": "READ_WRITE"}).json()
    listed = gql(key_client(alpha, plaintext), "{ apiKeys { totalCount } }").json()
    # then
    assert touched["data"]["touchCore"] == {"done": True, "errors": []}
    assert escalated["data"]["createApiKey"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert listed["data"]["apiKeys"] is None and listed["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema):
        assert not ApiKey.objects.filter(name="Sneaky").exists()


def test_module_scoped_key_reaches_only_its_modules(alpha):
    # given: alpha has the food module; this key may only touch food
    _, plaintext = api_key(alpha, "read_write", modules=("food",))
    client = key_client(alpha, plaintext)
    # when
    food = gql(client, "{ foodNote }").json()
    core = gql(client, "{ stockNote }").json()
    food_write = gql(client, "mutation { touchFood { done errors { code } } }").json()
    core_write = gql(client, "mutation { touchCore { done errors { code message } } }").json()
    me = gql(client, "{ me { apiKeyPrefix } }").json()
    # then
    assert food == {"data": {"foodNote": "food data"}}
    assert core["data"] == {"stockNote": None}
    assert core["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert "not scoped to the core module" in core["errors"][0]["message"]
    assert food_write["data"]["touchFood"] == {"done": True, "errors": []}
    assert core_write["data"]["touchCore"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert me["data"]["me"]["apiKeyPrefix"], "platform fields stay readable whatever the scope"


def test_key_cannot_reach_a_module_the_tenant_has_not_enabled(alpha):
    # given: alpha never enabled restaurant
    _, plaintext = api_key(alpha, "read")
    # when
    response = gql(key_client(alpha, plaintext), "{ restaurantNote }").json()
    # then
    assert response["errors"][0]["extensions"]["code"] == "MODULE_NOT_ENABLED"


def test_double_submitted_key_name_is_refused_but_freed_by_revocation(alpha):
    # given
    client = alpha.client()
    first = gql(client, CREATE_KEY, {"name": "POS bridge"}).json()["data"]["createApiKey"]
    # when
    second = gql(client, CREATE_KEY, {"name": "POS bridge"}).json()["data"]["createApiKey"]
    gql(client, "mutation($p: String!) { revokeApiKey(prefix: $p) { errors { code } } }", {"p": first["apiKey"]["prefix"]})
    third = gql(client, CREATE_KEY, {"name": "POS bridge"}).json()["data"]["createApiKey"]
    # then
    assert second["key"] is None
    assert second["errors"] == [
        {"field": "name", "message": "An active key named 'POS bridge' already exists.", "code": "UNIQUE"}
    ]
    assert third["errors"] == [] and third["key"] != first["key"]
    with schema_context(alpha.schema):
        assert ApiKey.objects.filter(name="POS bridge").count() == 2


def test_unknown_module_code_is_a_typed_error(alpha):
    # given
    # when
    payload = gql(alpha.client(), CREATE_KEY, {"name": "Typo", "modules": ["fod"]}).json()["data"]["createApiKey"]
    # then
    assert payload["key"] is None
    assert payload["errors"] == [{"field": "modules", "message": "Unknown module codes: fod.", "code": "INVALID"}]
