"""Smoke: both tenants serve their own dashboard; an unknown host is a 404."""

import json

from django.test import Client


def test_owner_sees_dashboard_on_own_host(alpha):
    # given / when
    response = alpha.client().get("/")
    # then
    assert response.status_code == 200
    assert "Alpha Co" in response.content.decode()


def test_unknown_host_is_404(alpha):
    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404


def test_graphql_me(alpha):
    response = alpha.client().post("/graphql/", json.dumps({"query": "{ me { email role } }"}), content_type="application/json")
    assert response.json() == {"data": {"me": {"email": alpha.owner_email, "role": "owner"}}}
