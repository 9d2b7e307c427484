"""The dashboard's first-run checklist: a new company sees its steps and progress; it disappears when done."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.web.onboarding import checklist
from tenants.models import Tenant
from tests.site.support import public_client, signup_data, tenant_client

pytestmark = pytest.mark.django_db

CORE_STEPS = ["units", "locations", "suppliers", "items", "opening_stock", "sales_history"]


def new_company() -> tuple[object, Tenant]:
    data = signup_data(modules=[])  # the core's own checklist; each module adds its steps (tests/verticals)
    response = public_client().post("/signup/", data)
    client, path = tenant_client(response["Location"])
    client.get(path)
    return client, Tenant.objects.get(slug=data["slug"])


def steps_on(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="([a-z_]+)" data-done="(yes|no)"', page))


def test_a_new_company_sees_the_checklist_and_it_follows_what_is_set_up() -> None:
    # given a company that just signed up, with nothing in it
    client, _tenant = new_company()
    page = client.get("/").content.decode()
    assert 'id="onboarding"' in page and "已完成 0 / 6 步" in page
    steps = steps_on(page)
    assert list(steps)[: len(CORE_STEPS)] == CORE_STEPS and set(steps.values()) == {"no"}

    # when the owner creates a unit on its page
    assert client.post("/master/units/new/", {"code": "BTL", "name": "瓶"}).status_code == 302

    # then that step is ticked and the others wait
    steps = steps_on(client.get("/").content.decode())
    assert steps["units"] == "yes" and steps["locations"] == "no"


def test_the_checklist_disappears_when_every_step_is_done() -> None:
    from core.inventory.factories import make_item, make_stock_location, receive
    from core.partners.services import create_supplier

    client, tenant = new_company()
    with schema_context(tenant.schema_name):
        item = make_item("RICE-5KG")
        receive(item, make_stock_location(), Decimal("10"))
        create_supplier(code="SUP1", name="五常米业")
        remaining = [s.key for s in checklist(tenant, "zh-hans").steps if not s.done]
    assert remaining == ["sales_history"]

    with schema_context(tenant.schema_name):
        from core.planning.models import DemandHistoryUpload, UploadStatus

        DemandHistoryUpload.objects.create(filename="history.csv", sha256="0" * 64, size=10, status=UploadStatus.DONE)
        assert checklist(tenant, "zh-hans").complete

    assert 'id="onboarding"' not in client.get("/").content.decode()
