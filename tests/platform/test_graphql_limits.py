"""The endpoint's guard rails: limits, bad requests, masked internal errors, the introspection switch."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.accounts.models import ApiKey, User

from .graphql_probe import INTERNAL_DETAIL
from .graphql_support import api_key, gql

pytestmark = pytest.mark.urls("tests.platform.graphql_probe")

USERS_PAGE = "users(first: {first}) {{ edges {{ node {{ id email fullName language isActive role }} }} }}"


def _tree(depth: int) -> str:
    # `tree` is level 1 and `name` the last level
    return "{ tree { " + "child { " * (depth - 2) + "name" + " }" * (depth - 2) + " } }"


def _error(response) -> dict:
    return response.json()["errors"][0]


def test_query_at_the_depth_limit_runs_and_one_deeper_is_rejected(alpha):
    # given
    client = alpha.client()
    # when
    at_limit = gql(client, _tree(10))
    too_deep = gql(client, _tree(11))
    # then
    assert at_limit.status_code == 200 and "branch" in at_limit.content.decode()
    assert too_deep.status_code == 400
    assert _error(too_deep) == {"message": "Query is too deep: depth 11 (limit 10).", "extensions": {"code": "QUERY_TOO_DEEP"}}


def test_depth_is_measured_through_fragments(alpha):
    # given: tree (1) + A's five levels + B's four levels + name (1) = 11; a repeated spread adds nothing
    fragments = (
        "fragment A on Tree { child { child { child { child { child { ...B ...B } } } } } } "
        "fragment B on Tree { child { child { child { child { name } } } } }"
    )
    # when
    response = gql(alpha.client(), fragments + " query { tree { ...A ...A } }")
    # then
    assert response.status_code == 400
    assert _error(response) == {"message": "Query is too deep: depth 11 (limit 10).", "extensions": {"code": "QUERY_TOO_DEEP"}}


def test_many_nested_fragment_spreads_are_measured_once(alpha):
    # given: every fragment spreads the next one in two branches: walked naively, 2^20 visits
    levels = 20
    fragments = " ".join(
        f"fragment F{i} on Tree {{ a: child {{ ...F{i + 1} }} b: child {{ ...F{i + 1} }} }}" for i in range(levels)
    )
    document = fragments + f" fragment F{levels} on Tree {{ name }} query {{ tree {{ ...F0 }} }}"
    # when
    response = gql(alpha.client(), document)
    # then: answered at once, and refused for its depth
    assert response.status_code == 400
    assert _error(response) == {"message": "Query is too deep: depth 22 (limit 10).", "extensions": {"code": "QUERY_TOO_DEEP"}}


def test_too_many_aliases_are_rejected(alpha):
    # given
    document = "{ " + " ".join(f"a{i}: stockNote" for i in range(101)) + " }"
    # when
    response = gql(alpha.client(), document)
    # then
    assert response.status_code == 400
    assert _error(response) == {"message": "Too many aliases: 101 (limit 50).", "extensions": {"code": "QUERY_TOO_COMPLEX"}}


def test_complexity_counts_page_sizes_from_literals_and_variables(alpha):
    # given: seven pages of 100 users cost 7 × 801 > 5000; the same seven pages of $first = 10 cost 7 × 81
    heavy = "{ " + " ".join(f"p{i}: " + USERS_PAGE.format(first=100) for i in range(7)) + " }"
    light = "query($first: Int) { " + " ".join(f"p{i}: " + USERS_PAGE.format(first="$first") for i in range(7)) + " }"
    client = alpha.client()
    # when
    rejected = gql(client, heavy)
    accepted = gql(client, light, {"first": 10})
    unknown_page = gql(client, light)  # no value: the maximum page is assumed
    # then
    assert rejected.status_code == 400
    assert _error(rejected)["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert _error(rejected)["message"].startswith("Query is too complex: cost 5607 (limit 5000).")
    assert accepted.status_code == 200 and "errors" not in accepted.json()
    assert unknown_page.status_code == 400


def test_page_larger_than_the_maximum_is_rejected_before_running(alpha):
    # given / when
    response = gql(alpha.client(), "query($n: Int) { users(first: $n) { totalCount } }", {"n": 500})
    # then
    assert response.status_code == 400
    assert _error(response) == {
        "message": "`users` asks for 500 rows; a page holds at most 100.",
        "extensions": {"code": "PAGE_TOO_LARGE"},
    }


def test_mutation_over_get_is_refused(alpha):
    # given / when
    response = alpha.client().get("/graphql/", {"query": 'mutation { createApiKey(name: "via GET") { key } }'})
    # then
    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "Can only perform a mutation operation from a POST request.",
                "extensions": {"code": "METHOD_NOT_ALLOWED"},
            }
        ]
    }
    with schema_context(alpha.schema):
        assert not ApiKey.objects.exists()


def test_query_over_get_is_served(alpha):
    # given / when
    response = alpha.client().get("/graphql/", {"query": "{ me { email } }"})
    # then
    assert response.json() == {"data": {"me": {"email": alpha.owner_email}}}


def test_resolver_exception_text_never_reaches_the_client(alpha, caplog):
    # given: `boom` (test-only probe field) raises with internal details in its message
    client = alpha.client()
    # when
    response = gql(client, "{ stockNote boom }")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert response.json()["data"] == {"stockNote": "core data", "boom": None}
    assert _error(response)["message"] == "Internal server error. The error has been logged."
    assert _error(response)["extensions"] == {"code": "INTERNAL_ERROR"}
    assert INTERNAL_DETAIL not in body and "RuntimeError" not in body and "Traceback" not in body
    assert INTERNAL_DETAIL in caplog.text, "the operator still sees it in the log (and Sentry)"


def test_introspection_can_be_switched_off(alpha, settings):
    # given
    client = alpha.client()
    allowed = gql(client, "{ __schema { queryType { name } } }")
    settings.GRAPHQL_INTROSPECTION = False
    # when
    refused = gql(client, "{ __schema { queryType { name } } }")
    typename = gql(client, "{ __typename }")
    # then
    assert allowed.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert refused.status_code == 400
    assert _error(refused)["extensions"] == {"code": "INTROSPECTION_DISABLED"}
    assert "introspection is disabled" in _error(refused)["message"]
    assert typename.json() == {"data": {"__typename": "Query"}}, "__typename is not introspection: clients add it everywhere"


def test_no_credentials_is_401_with_a_hint(alpha):
    # given / when
    response = gql(Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True), "{ me { email } }")
    # then: JSON 401, never an HTML CSRF page or a login redirect
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response) == {
        "message": "Authentication required: sign in, or send `Authorization: Bearer <api key>`.",
        "extensions": {"code": "NOT_AUTHENTICATED"},
    }


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer two words", "jxc_abc_def"])
def test_malformed_authorization_header_is_401(alpha, header):
    # given / when
    response = gql(Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=header), "{ me { email } }")
    # then
    assert response.status_code == 401
    assert _error(response)["message"] == "Malformed Authorization header: expected `Bearer <api key>`."


def test_session_post_needs_the_csrf_token_but_a_key_does_not(alpha):
    # given: a browser that signed in through the login form (which sets the csrftoken cookie)
    browser = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    signed_in = browser.post("/login/", {"username": alpha.owner_email, "password": alpha.password, "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302
    _, plaintext = api_key(alpha, "read")
    program = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    # when
    without_token = gql(browser, "{ me { email } }")
    with_token = gql(browser, "{ me { email } }", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    by_key = gql(program, "{ me { apiKeyScope } }")
    # then
    assert without_token.status_code == 403 and _error(without_token)["extensions"]["code"] == "CSRF_FAILED"
    assert with_token.json() == {"data": {"me": {"email": alpha.owner_email}}}
    assert by_key.json() == {"data": {"me": {"apiKeyScope": "read"}}}


def test_oversized_document_is_413(alpha, settings):
    # given
    document = "{ me { email } }" + " " * settings.GRAPHQL_MAX_DOCUMENT_BYTES
    # when
    response = gql(alpha.client(), document)
    # then
    assert response.status_code == 413
    assert _error(response)["message"] == f"The GraphQL document is larger than {settings.GRAPHQL_MAX_DOCUMENT_BYTES} bytes."


def test_wrong_argument_type_is_400_and_writes_nothing(alpha):
    # given
    client = alpha.client()
    # when
    literal = gql(client, 'mutation { createApiKey(name: 42, scope: "READ") { key } }')
    variable = gql(client, "mutation($n: String!) { createApiKey(name: $n) { key } }", {"n": {"not": "a string"}})
    bad_json = client.post("/graphql/", "{not json", content_type="application/json")
    # then
    assert literal.status_code == 400
    assert "String cannot represent a non string value: 42" in _error(literal)["message"]
    assert variable.status_code == 400
    assert "Variable '$n' got invalid value" in _error(variable)["message"]
    assert bad_json.status_code == 400
    assert bad_json.json() == {"errors": [{"message": "POST body sent invalid JSON.", "extensions": {"code": "BAD_REQUEST"}}]}
    with schema_context(alpha.schema):
        assert not ApiKey.objects.exists()


def test_invalid_new_user_is_a_typed_error_and_nothing_is_created(alpha):
    # given
    mutation = """mutation($email: String!, $password: String!) {
      createUser(email: $email, password: $password, role: CLERK) { user { email } errors { field code } } }"""
    # when
    bad_email = gql(alpha.client(), mutation, {"email": "not-an-email", "password": "Sturdy-walnut-93!"}).json()
    weak = gql(alpha.client(), mutation, {"email": "new@alpha.example.com", "password": "12345"}).json()
    # then
    assert bad_email["data"]["createUser"] == {"user": None, "errors": [{"field": "email", "code": "INVALID"}]}
    codes = {(error["field"], error["code"]) for error in weak["data"]["createUser"]["errors"]}
    assert ("password", "PASSWORD_TOO_SHORT") in codes and ("password", "PASSWORD_ENTIRELY_NUMERIC") in codes
    with schema_context(alpha.schema):
        assert User.objects.count() == 1
    assert json.dumps(weak).count("12345") == 0, "the password is never echoed"
