"""A clerk who signs in with the temporary password an administrator chose must choose their own first."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db

OWN_PASSWORD = "Lantern-orchard-58!"


def test_a_clerk_with_a_temporary_password_must_choose_their_own(alpha: TenantInfo) -> None:
    # given a clerk the owner added with a generated password
    email = f"clerk-{uuid.uuid4().hex[:6]}@example.com"
    added = alpha.client().post("/settings/users/", {"email": email, "role": "clerk", "full_name": "小李"})
    temporary = re.search(r"<code[^>]*data-secret>([^<]+)</code>", added.content.decode()).group(1)
    clerk = Client(HTTP_HOST=alpha.host)
    assert clerk.post("/login/", {"username": email, "password": temporary}).status_code == 302

    # when the clerk opens any page, they are sent to choose a password
    for path in ("/", "/items/", "/sales-orders/"):
        response = clerk.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/password/", path
    page = clerk.get("/account/password/").content.decode()
    assert 'id="password-change-required"' in page and "临时密码" in page

    # and once they have chosen one, the app opens and the new password signs in
    changed = clerk.post(
        "/account/password/", {"old_password": temporary, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD}
    )
    assert changed.status_code == 302
    assert clerk.get("/items/").status_code == 200
    assert Client(HTTP_HOST=alpha.host).post("/login/", {"username": email, "password": OWN_PASSWORD}).status_code == 302


def test_an_owner_is_not_asked_to_change_a_password_they_chose(alpha: TenantInfo) -> None:
    assert alpha.client().get("/").status_code == 200
