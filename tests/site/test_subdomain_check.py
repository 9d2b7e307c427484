"""The live subdomain check on the signup form: free, taken, reserved and invalid, with a reason."""

from __future__ import annotations

import pytest

from tests.conftest import TenantInfo
from tests.site.support import public_client, unique_slug

pytestmark = pytest.mark.django_db


def check(slug: str, language: str = "en") -> dict:
    response = public_client(language).get("/signup/subdomain/", {"slug": slug})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_a_free_subdomain_is_available_and_normalised() -> None:
    slug = unique_slug()

    data = check(f"  {slug.upper()} ")

    assert data["available"] is True
    assert data["slug"] == slug
    assert data["host"] == f"{slug}.localhost"


def test_a_taken_subdomain_is_refused(alpha: TenantInfo) -> None:
    data = check(alpha.tenant.slug)

    assert data == {**data, "available": False, "code": "taken"}
    assert "already taken" in data["message"]


def test_the_reason_is_in_the_visitors_language(alpha: TenantInfo) -> None:
    assert check(alpha.tenant.slug, "zh-hans")["message"] == "“alpha”已被占用。"


@pytest.mark.parametrize("slug", ["www", "admin", "billing", "signup"])
def test_reserved_subdomains_are_refused(slug: str) -> None:
    data = check(slug)

    assert (data["available"], data["code"]) == (False, "reserved")


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("", "required"),
        ("ab", "length"),
        ("x" * 31, "length"),
        ("9shop", "invalid"),
        ("my_shop", "invalid"),
        ("a--b", "invalid"),
        ("shop-", "invalid"),
    ],
)
def test_malformed_subdomains_are_refused_with_their_reason(slug: str, code: str) -> None:
    data = check(slug)

    assert (data["available"], data["code"]) == (False, code)
    assert data["message"]


def test_the_check_answers_only_on_the_public_host(alpha: TenantInfo) -> None:
    from django.test import Client

    response = Client(HTTP_HOST=alpha.host).get("/signup/subdomain/", {"slug": "free-name"})

    assert response.status_code == 404
