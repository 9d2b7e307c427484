"""Two identical signup posts at the same moment (a double click) create one tenant, and both sign in."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.test import Client

from tenants.models import Tenant
from tests.site.support import signup_data


@pytest.fixture
def racing_signup(committed: None) -> Iterator[dict]:
    data = signup_data()
    yield data
    from tenants.services import delete_tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug=data["slug"]):
        delete_tenant(tenant)


def test_a_double_submit_creates_one_tenant_and_both_answers_sign_in(racing_signup: dict) -> None:
    # given two copies of the same form, sent together (each thread has its own database connection)
    start = threading.Barrier(2)
    responses: list = []

    def submit() -> None:
        try:
            start.wait()
            responses.append(Client(HTTP_HOST="localhost").post("/signup/", racing_signup))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then there is one tenant, and whichever answer the browser shows signs the owner in on it
    assert Tenant.objects.filter(slug=racing_signup["slug"]).count() == 1
    assert [r.status_code for r in responses] == [302, 302]
    for response in responses:
        assert response["Location"].startswith(f"http://{racing_signup['slug']}.localhost/account/handoff/?token=")
