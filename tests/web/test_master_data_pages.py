"""The generic master-data pages: every kind lists, creates, edits, archives, exports and imports; refusals
(duplicate codes, conversion loops, archiving a stocked location) sit next to their field in Chinese."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from core.catalog.models import Unit, UnitConversion
from core.inventory.factories import make_item, make_stock_location, receive
from core.locations.models import Location
from core.partners.models import Supplier, SupplierItem
from core.planning.models import SourcingRule
from core.web.masterdata import KINDS
from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db


def code(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}".upper()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_its_list_form_and_export(alpha: TenantInfo, kind: str) -> None:
    client = alpha.client()
    assert client.get(f"/master/{kind}/").status_code == 200
    assert client.get(f"/master/{kind}/new/").status_code == 200
    export = client.get(f"/master/{kind}/export.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")


def test_a_unit_is_created_edited_and_a_duplicate_code_is_refused_next_to_the_field(alpha: TenantInfo) -> None:
    client = alpha.client()
    unit_code = code("U")

    assert client.post("/master/units/new/", {"code": unit_code, "name": "箱"}).status_code == 302
    again = client.post("/master/units/new/", {"code": unit_code, "name": "另一个箱"})

    page = again.content.decode()
    assert again.status_code == 400
    assert 'data-field="code"' in page and "已被使用" in page, "the refusal sits by the code field, in Chinese"
    with schema_context(alpha.schema):
        unit = Unit.objects.get(code=unit_code)
        assert unit.name == "箱" and Unit.objects.filter(name="另一个箱").count() == 0
    assert client.post(f"/master/units/{unit.pk}/", {"code": unit_code, "name": "纸箱"}).status_code == 302
    with schema_context(alpha.schema):
        assert Unit.objects.get(pk=unit.pk).name == "纸箱"


def test_a_conversion_loop_is_refused(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        item = make_item(code("CONV"))
        case, pack = Unit.objects.create(code=code("CASE"), name="箱"), Unit.objects.create(code=code("PACK"), name="包")
    # 1 pack = 6 base, 1 case = 2 packs
    assert client.post("/master/conversions/new/", {"item": item.sku, "unit": pack.code, "factor": "6"}).status_code == 302
    assert (
        client.post(
            "/master/conversions/new/", {"item": item.sku, "unit": case.code, "factor": "2", "to_unit": pack.code}
        ).status_code
        == 302
    )

    # when the pack is redefined through the case (pack → case → pack)
    loop = client.post("/master/conversions/new/", {"item": item.sku, "unit": pack.code, "factor": "0.5", "to_unit": case.code})

    assert loop.status_code == 400 and "回到" in loop.content.decode()
    with schema_context(alpha.schema):
        factors = dict(UnitConversion.objects.filter(item=item).values_list("unit__code", "factor"))
    assert factors == {pack.code: Decimal("6"), case.code: Decimal("12")}


def test_archiving_a_location_that_holds_stock_is_refused(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        stocked, empty = make_stock_location(), make_stock_location()
        receive(make_item(code("LOC")), stocked, "3")

    refused = client.post(f"/master/locations/{stocked.pk}/archive/", follow=True)
    done = client.post(f"/master/locations/{empty.pk}/archive/", follow=True)

    assert "仍有库存" in refused.content.decode()
    with schema_context(alpha.schema):
        assert Location.objects.get(pk=stocked.pk).active
        assert not Location.objects.get(pk=empty.pk).active
    assert done.status_code == 200


def test_a_location_and_a_bin_inside_it_are_created(alpha: TenantInfo) -> None:
    client = alpha.client()
    shelf = code("WH-A")
    assert client.post("/master/locations/new/", {"code": shelf, "name": "A 区"}).status_code == 302
    assert client.post("/master/locations/new/", {"code": shelf + "-01", "name": "A-01", "parent": shelf}).status_code == 302
    with schema_context(alpha.schema):
        assert Location.objects.get(code=shelf + "-01").parent.code == shelf


def test_suppliers_import_with_chinese_headers_all_or_nothing(alpha: TenantInfo) -> None:
    client = alpha.client()
    good, other = code("S"), code("S")
    bad_file = f"编码,名称,交货期（天）\n{good},华东乳业,3\n{other},,x\n".encode()
    good_file = f"编码,名称\n{good},华东乳业\n{other},南方食品\n".encode()

    refused = client.post("/master/suppliers/import/", {"file": SimpleUploadedFile("s.csv", bad_file)}, follow=True)
    with schema_context(alpha.schema):
        assert not Supplier.objects.filter(code__in=[good, other]).exists(), "a bad row imports nothing"
    assert "第 3 行" in refused.content.decode()

    client.post("/master/suppliers/import/", {"file": SimpleUploadedFile("s.csv", good_file)})
    with schema_context(alpha.schema):
        assert set(Supplier.objects.filter(code__in=[good, other]).values_list("name", flat=True)) == {"华东乳业", "南方食品"}


def test_an_export_imports_back_and_updates_by_code(alpha: TenantInfo) -> None:
    client = alpha.client()
    supplier_code = code("S")
    client.post(
        "/master/suppliers/new/",
        {"code": supplier_code, "name": "旧名", "declared_lead_time_days": 5, "moq": 0, "currency": "CNY"},
    )
    text = client.get("/master/suppliers/export.csv").content.decode("utf-8-sig").replace("旧名", "新名")

    client.post("/master/suppliers/import/", {"file": SimpleUploadedFile("s.csv", text.encode())})

    with schema_context(alpha.schema):
        assert Supplier.objects.get(code=supplier_code).name == "新名"


def test_supplier_terms_and_a_sourcing_rule_are_set_in_the_ui(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        item, location = make_item(code("TERM")), make_stock_location()
        supplier = Supplier.objects.create(code=code("S"), name="华东乳业")
    terms = {
        "supplier": supplier.code,
        "item": item.sku,
        "unit_price": "4.5",
        "moq": "24",
        "pack_size": "12",
        "lead_time_days": "3",
    }
    rule = {
        "item": item.sku,
        "location": location.code,
        "supplier": supplier.code,
        "review_period_days": "7",
        "unit_price": "4.5",
    }

    assert client.post("/master/supplier-terms/new/", terms).status_code == 302
    duplicate = client.post("/master/supplier-terms/new/", terms)
    assert client.post("/master/sourcing/new/", rule).status_code == 302
    both = client.post("/master/sourcing/new/", {**rule, "source_location": location.code})

    assert duplicate.status_code == 400
    assert both.status_code == 400
    with schema_context(alpha.schema):
        saved = SupplierItem.objects.get(supplier=supplier, item=item)
        assert (saved.moq, saved.pack_size, saved.lead_time_days) == (Decimal("24"), Decimal("12"), 3)
        assert SourcingRule.objects.filter(item=item, location=location, supplier=supplier, active=True).count() == 1


def test_a_viewer_cannot_create_master_data(alpha: TenantInfo) -> None:
    from tenants.accounts.roles import Role
    from tests.web.support import client_with_role

    viewer = client_with_role(alpha, Role.VIEWER)
    assert viewer.get("/master/units/").status_code == 200
    assert viewer.post("/master/units/new/", {"code": code("U"), "name": "x"}).status_code == 403


def test_the_item_form_sets_every_field_and_edits_an_item(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        unit = Unit.objects.create(code=code("BTL"), name="瓶")
    sku = code("OIL")
    fields = {
        "sku": sku,
        "name_zh": "花生油 5L",
        "base_unit": unit.pk,
        "lot_tracked": "on",
        "shelf_life_days": "365",
        "removal_strategy": "fefo",
        "cost_method": "moving_average",
        "pack_size": "4",
        "moq": "8",
        "abc_class": "A",
        "xyz_class": "",
        "active": "on",
    }

    # FEFO without lots is refused next to the field; nothing is saved
    refused = client.post("/items/new/", {**fields, "lot_tracked": ""})
    assert 'data-field="removal_strategy"' in refused.content.decode() and "批次" in refused.content.decode()
    created = client.post("/items/new/", fields)

    assert created.status_code == 302
    with schema_context(alpha.schema):
        from core.catalog.models import Item

        item = Item.objects.get(sku=sku)
        assert (item.removal_strategy, item.pack_size, item.moq, item.abc_class) == ("fefo", Decimal("4"), Decimal("8"), "A")
    edited = client.post(f"/items/{item.pk}/edit/", {**fields, "name_zh": "花生油 5升", "moq": "12"})
    assert edited.status_code == 302
    with schema_context(alpha.schema):
        item.refresh_from_db()
        assert (item.name_zh, item.moq) == ("花生油 5升", Decimal("12"))
