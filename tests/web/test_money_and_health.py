"""A USD company sees dollars, never ¥; a company without forecasts is not told that all its stock is excess."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location, receive
from core.partners.services import create_supplier
from tenants.models import Tenant
from tests.site.support import public_client, signup_data, tenant_client

pytestmark = pytest.mark.django_db


def signed_up(**overrides: object) -> tuple[object, Tenant]:
    data = signup_data(**overrides)
    response = public_client().post("/signup/", data)
    client, path = tenant_client(response["Location"])
    client.get(path)
    return client, Tenant.objects.get(slug=data["slug"])


def test_a_usd_company_orders_and_reads_amounts_in_dollars() -> None:
    client, tenant = signed_up(currency="USD")
    with schema_context(tenant.schema_name):
        item, store = make_item("COFFEE-1KG"), make_stock_location()
        supplier = create_supplier(code="ROAST", name="Roastery")

    response = client.post(
        "/purchase-orders/new/",
        {
            "token": "t1",
            "supplier": supplier.pk,
            "destination": store.pk,
            "notes": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": item.sku,
            "lines-0-quantity": "10",
            "lines-0-unit_price": "12.5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = client.get(response["Location"]).content.decode()
    listing = client.get("/purchase-orders/").content.decode()

    assert "$125.00" in detail and "$125.00" in listing
    assert "¥" not in detail and "¥" not in listing
    with schema_context(tenant.schema_name):
        from core.purchasing.models import PurchaseOrder

        assert PurchaseOrder.objects.get().currency == "USD"


def test_without_forecasts_stock_is_not_listed_as_excess() -> None:
    from core.planning.dashboard import health_summary

    client, tenant = signed_up()
    with schema_context(tenant.schema_name):
        receive(make_item("RICE-5KG"), make_stock_location(), Decimal("100"))
        summary = health_summary()
    assert summary.pairs == 1 and summary.excess == []
    assert "RICE-5KG" not in client.get("/").content.decode()
