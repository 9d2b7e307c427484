"""Roles: one permission check decides for the API and the web pages alike."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from tenants.accounts.models import ApiKey, User
from tenants.accounts.roles import Role

from .graphql_support import PASSWORD, client_as, gql, owner, person, signed_in

pytestmark = pytest.mark.urls("tests.platform.graphql_probe")

TOUCH = "mutation { touchCore { done errors { code } } }"
CREATE_KEY = 'mutation { createApiKey(name: "Shop sync") { key errors { code } } }'
CREATE_USER = """
mutation($email: String!, $role: Role!) {
  createUser(email: $email, password: "Sturdy-walnut-93!", role: $role, fullName: "Li Lei") {
    user { email role } errors { field message code }
  }
}
"""
CHANGE_ROLE = (
    "mutation($id: ID!, $role: Role!) { changeUserRole(userId: $id, role: $role) { user { role } errors { code message } } }"
)
DEACTIVATE = "mutation($id: ID!) { deactivateUser(userId: $id) { user { isActive } errors { code message } } }"


def _gid(user: User) -> str:
    return to_global_id("User", user.pk)


def test_viewer_cannot_mutate(alpha):
    # given
    viewer = client_as(alpha, Role.VIEWER)
    # when
    response = gql(viewer, TOUCH).json()
    # then
    assert response["data"]["touchCore"] == {"done": None, "errors": [{"code": "PERMISSION_DENIED"}]}


def test_clerk_operates_but_cannot_administer(alpha):
    # given
    clerk = client_as(alpha, Role.CLERK)
    # when
    touched = gql(clerk, TOUCH).json()["data"]["touchCore"]
    key = gql(clerk, CREATE_KEY).json()["data"]["createApiKey"]
    users = gql(clerk, "{ users { totalCount } }").json()
    # then
    assert touched == {"done": True, "errors": []}
    assert key == {"key": None, "errors": [{"code": "PERMISSION_DENIED"}]}
    assert users["data"]["users"] is None and users["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema):
        assert not ApiKey.objects.exists()


def test_admin_creates_keys_and_users_but_not_owners(alpha):
    # given
    admin = client_as(alpha, Role.ADMIN)
    # when
    key = gql(admin, CREATE_KEY).json()["data"]["createApiKey"]
    manager = gql(admin, CREATE_USER, {"email": "wang@alpha.example.com", "role": "MANAGER"}).json()["data"]["createUser"]
    new_owner = gql(admin, CREATE_USER, {"email": "boss@alpha.example.com", "role": "OWNER"}).json()["data"]["createUser"]
    promoted = gql(admin, CHANGE_ROLE, {"id": _gid(person(alpha, Role.CLERK)), "role": "OWNER"}).json()["data"]["changeUserRole"]
    # then
    assert key["errors"] == [] and key["key"]
    assert manager == {"user": {"email": "wang@alpha.example.com", "role": "MANAGER"}, "errors": []}
    assert new_owner["user"] is None and new_owner["errors"][0]["code"] == "PERMISSION_DENIED"
    assert promoted["user"] is None and promoted["errors"][0]["message"] == "Only an owner can make another owner."
    with schema_context(alpha.schema):
        assert list(User.objects.filter(role="owner").values_list("email", flat=True)) == [alpha.owner_email]


def test_only_an_owner_makes_an_owner(alpha):
    # given
    clerk = person(alpha, Role.CLERK)
    # when
    response = gql(alpha.client(), CHANGE_ROLE, {"id": _gid(clerk), "role": "OWNER"}).json()
    # then
    assert response["data"]["changeUserRole"] == {"user": {"role": "OWNER"}, "errors": []}


def test_admin_cannot_demote_an_owner_and_the_last_owner_stays(alpha):
    # given
    admin = client_as(alpha, Role.ADMIN)
    the_owner = owner(alpha)
    # when
    by_admin = gql(admin, CHANGE_ROLE, {"id": _gid(the_owner), "role": "VIEWER"}).json()["data"]["changeUserRole"]
    by_self = gql(alpha.client(), CHANGE_ROLE, {"id": _gid(the_owner), "role": "ADMIN"}).json()["data"]["changeUserRole"]
    # then
    assert by_admin["errors"][0]["code"] == "PERMISSION_DENIED"
    assert by_self["errors"] == [{"code": "LAST_OWNER", "message": "The company needs at least one active owner."}]
    with schema_context(alpha.schema):
        assert User.objects.get(pk=the_owner.pk).role == "owner"


def test_deactivated_user_is_signed_out_at_the_next_request(alpha):
    # given
    clerk = person(alpha, Role.CLERK)
    clerk_client = signed_in(alpha, clerk)
    assert gql(clerk_client, "{ me { email } }").status_code == 200
    # when
    result = gql(alpha.client(), DEACTIVATE, {"id": _gid(clerk)}).json()["data"]["deactivateUser"]
    # then
    assert result == {"user": {"isActive": False}, "errors": []}
    assert gql(clerk_client, "{ me { email } }").status_code == 401
    relogin = Client(HTTP_HOST=alpha.host).post("/login/", {"username": clerk.email, "password": PASSWORD})
    assert relogin.status_code == 200, "the login form again: an inactive user cannot sign in"


@pytest.mark.parametrize(
    ("role", "status"), [(Role.VIEWER, 403), (Role.CLERK, 403), (Role.MANAGER, 403), (Role.ADMIN, 200), (Role.OWNER, 200)]
)
def test_the_same_check_guards_a_web_page(alpha, role, status):
    # given
    client = client_as(alpha, role)
    # when
    response = client.get("/probe/administer/")
    # then
    assert response.status_code == status


def test_web_page_sends_a_stranger_to_sign_in_and_refuses_a_viewer_post(alpha):
    # given
    viewer = client_as(alpha, Role.VIEWER)
    # when
    anonymous = Client(HTTP_HOST=alpha.host).get("/probe/administer/")
    viewer_post = viewer.post("/", {})
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert viewer_post.status_code == 403, "a form post writes, and a viewer may not write"
