"""/favicon.ico answers on the public host and on a tenant host (no 404 in every browser's log)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db


def test_the_favicon_is_served_on_every_host(alpha: TenantInfo) -> None:
    for client in (Client(HTTP_HOST=settings.BASE_DOMAIN), Client(HTTP_HOST=alpha.host)):
        response = client.get("/favicon.ico")
        assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
        assert response.content[:4] == b"\x00\x00\x01\x00", "an ICO file"
