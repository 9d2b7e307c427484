"""`manage.py seed_demo`: the demo tenant and the credentials `./jxc run` prints."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from billing.entitlements import enabled_modules
from tenants.models import Tenant


def _seed(settings, tmp_path) -> tuple[str, dict[str, str]]:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue(), json.loads((tmp_path / "demo_credentials.txt").read_text())


def test_seed_demo_prints_credentials_that_sign_in_to_a_food_and_retail_tenant(db, settings, tmp_path):
    # given no demo tenant

    # when
    printed, credentials = _seed(settings, tmp_path)

    # then
    assert credentials["password"] in printed and credentials["email"] in printed
    tenant = Tenant.objects.get(slug="demo")
    assert {"food", "retail"} <= set(enabled_modules(tenant))
    response = Client(HTTP_HOST="demo.localhost").post(
        "/login/", {"username": credentials["email"], "password": credentials["password"]}
    )
    assert response.status_code == 302


def test_seed_demo_rerun_keeps_the_tenant_and_prints_the_same_credentials(db, settings, tmp_path):
    # given
    _, first = _seed(settings, tmp_path)

    # when
    printed, second = _seed(settings, tmp_path)

    # then
    assert second == first
    assert first["password"] in printed
    assert Tenant.objects.filter(slug="demo").count() == 1


def test_seed_demo_gives_the_owner_a_new_password_when_the_credentials_file_is_lost(db, settings, tmp_path):
    # given
    _, lost = _seed(settings, tmp_path)
    (tmp_path / "demo_credentials.txt").unlink()

    # when
    _, fresh = _seed(settings, tmp_path)

    # then
    assert fresh["password"] != lost["password"]
    client = Client(HTTP_HOST="demo.localhost")
    assert client.post("/login/", {"username": lost["email"], "password": lost["password"]}).status_code == 200
    assert client.post("/login/", {"username": fresh["email"], "password": fresh["password"]}).status_code == 302
