"""Bulk import: every bad row reported, nothing imported from a bad file, double submits import once."""

from __future__ import annotations

import base64
import io
import json
from decimal import Decimal

from openpyxl import Workbook

from core.catalog.models import Item
from core.imports.exports import escape_cell, export_items_csv
from core.imports.models import ImportJob, ImportStatus
from core.imports.services import import_file
from core.inventory.selectors import on_hand
from core.locations.services import create_location
from core.partners.models import Customer, Supplier

ITEMS_CSV = """sku,name_zh,name_en,unit,category,lot_tracked,pack_size,moq
MILK-1L,牛奶 1L,Milk 1L,pcs,乳制品,yes,12,24
RICE-5KG,大米 5kg,Rice 5kg,bag,粮油,no,1,0
SOY-500,酱油 500ml,Soy sauce,pcs,调味品,no,24,48
"""


def test_good_items_file_imports_every_row(in_alpha):
    # when
    job = import_file("items", ITEMS_CSV.encode(), "items.csv", actor="owner")
    # then
    assert job.status == ImportStatus.IMPORTED and job.row_count == 3
    milk = Item.objects.get(sku="MILK-1L")
    assert milk.lot_tracked and milk.pack_size == Decimal("12") and milk.category.name == "乳制品"


def test_one_bad_row_imports_nothing_and_reports_each_problem(in_alpha):
    # given: row 3 has a negative pack size, row 4 misses its name and repeats a SKU
    csv_text = """sku,name_zh,unit,pack_size
A-1,甲,pcs,1
A-2,乙,pcs,-5
A-1,,pcs,1
"""
    # when
    job = import_file("items", csv_text.encode(), "items.csv", actor="owner")
    # then
    assert job.status == ImportStatus.REJECTED
    assert Item.objects.count() == 0
    problems = {(e["row"], e["column"]) for e in job.errors}
    assert problems == {(3, "pack_size"), (4, "name_zh"), (4, "sku")}
    assert any("repeats row 2" in e["message"] for e in job.errors)


def test_missing_required_column_is_reported_on_the_header_row(in_alpha):
    job = import_file("items", b"sku,name_zh\nX,x\n", "items.csv", actor="owner")
    assert job.status == ImportStatus.REJECTED
    assert job.errors == [{"row": 1, "column": "unit", "message": "required column is missing"}]


def test_existing_sku_is_refused(in_alpha):
    import_file("items", ITEMS_CSV.encode(), "items.csv", actor="owner")
    job = import_file("items", b"sku,name_zh,unit\nMILK-1L,again,pcs\n", "more.csv", actor="owner")
    assert job.status == ImportStatus.REJECTED
    assert job.errors[0]["row"] == 2 and "already exists" in job.errors[0]["message"]


def test_double_submit_imports_once(in_alpha):
    first = import_file("items", ITEMS_CSV.encode(), "items.csv", actor="owner")
    second = import_file("items", ITEMS_CSV.encode(), "items (1).csv", actor="owner")
    assert second.pk == first.pk
    assert Item.objects.count() == 3
    assert ImportJob.objects.filter(status=ImportStatus.IMPORTED).count() == 1


def test_chinese_headers_and_gb18030_encoding(in_alpha):
    csv_text = "编码,名称,单位\nTEA-1,绿茶,盒\n"
    job = import_file("items", csv_text.encode("gb18030"), "商品.csv", actor="owner")
    assert job.status == ImportStatus.IMPORTED
    assert Item.objects.get(sku="TEA-1").name_zh == "绿茶"


def test_unreadable_files_get_clear_errors(in_alpha):
    from core.imports.exceptions import UnreadableFile

    for data, name, code in [
        (b"", "empty.csv", "EMPTY_FILE"),
        (b"\xff\xfe\x00\x81\x00binary\x00", "garbage.csv", "BAD_ENCODING"),
        (b"sku,name\n", "items.pdf", "UNSUPPORTED_FORMAT"),
        (b"PK\x03\x04 not really a workbook", "items.xlsx", "UNSUPPORTED_FORMAT"),
    ]:
        try:
            import_file("items", data, name, actor="owner")
        except UnreadableFile as error:
            assert error.code == code, (name, error.code)
        else:
            raise AssertionError(f"{name} was accepted")
    assert Item.objects.count() == 0


def test_xlsx_partners_import(in_alpha):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "lead_time_days", "currency"])
    sheet.append(["SUP-1", "华东调味品", 5, "CNY"])
    sheet.append(["SUP-2", "Shenzhen Parts", 21, "usd"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_file("suppliers", buffer.getvalue(), "suppliers.xlsx", actor="owner")
    assert job.status == ImportStatus.IMPORTED
    assert Supplier.objects.get(code="SUP-2").declared_lead_time_days == 21
    assert Supplier.objects.get(code="SUP-2").currency == "USD"


def test_customer_tier_must_be_known(in_alpha):
    job = import_file("customers", "code,name,tier\nC1,机场店,vip\nC2,Other,platinum\n".encode(), "c.csv", actor="owner")
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "tier")]
    assert Customer.objects.count() == 0


def test_opening_stock_posts_to_the_ledger(in_alpha):
    # given
    import_file("items", ITEMS_CSV.encode(), "items.csv", actor="owner")
    shelf = create_location("WH1-A", "Main shelf")
    csv_text = """sku,location,quantity,unit_cost,lot_code,expiry_date
RICE-5KG,WH1-A,40,52.5,,
MILK-1L,WH1-A,120,6.2,L2026-11,2026-12-20
"""
    # when
    job = import_file("opening_stock", csv_text.encode(), "opening.csv", actor="owner")
    # then
    assert job.status == ImportStatus.IMPORTED, job.errors
    assert on_hand(Item.objects.get(sku="RICE-5KG").pk, shelf.pk) == Decimal("40")
    assert on_hand(Item.objects.get(sku="MILK-1L").pk, shelf.pk) == Decimal("120")


def test_opening_stock_checks_items_locations_and_lots(in_alpha):
    import_file("items", ITEMS_CSV.encode(), "items.csv", actor="owner")
    create_location("WH1-A", "Main shelf")
    csv_text = """sku,location,quantity,unit_cost,lot_code
NOPE,WH1-A,1,1,
MILK-1L,WH1-A,5,1,
RICE-5KG,NOWHERE,5,1,
RICE-5KG,WH1-A,0,1,
"""
    job = import_file("opening_stock", csv_text.encode(), "opening.csv", actor="owner")
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "sku"), (3, "lot_code"), (4, "location"), (5, "quantity")]


def test_export_neutralises_formula_cells(in_alpha):
    import_file("items", b"sku,name_zh,unit\n=HYPERLINK(1),@SUM(A1),pcs\n", "evil.csv", actor="owner")
    exported = export_items_csv()
    assert "'=HYPERLINK(1)" in exported and "'@SUM(A1)" in exported
    assert escape_cell("-1") == "'-1" and escape_cell("plain") == "plain"


def test_import_through_graphql_reports_rows(alpha):
    # given
    client = alpha.client()
    bad = base64.b64encode(b"sku,name_zh,unit\nOK-1,fine,pcs\nBAD-1,,pcs\n").decode()
    mutation = """mutation($c: String!) { importData(kind: ITEMS, filename: "i.csv", contentBase64: $c) {
        errors { field message code } job { status rowCount rowErrors { row column message } } } }"""
    # when
    response = client.post("/graphql/", json.dumps({"query": mutation, "variables": {"c": bad}}), content_type="application/json")
    # then
    payload = response.json()["data"]["importData"]
    assert payload["errors"] == []
    assert payload["job"]["status"] == "rejected"
    assert payload["job"]["rowErrors"] == [{"row": 3, "column": "name_zh", "message": "is required"}]


def test_clerk_cannot_import(alpha):
    from django_tenants.utils import schema_context

    from tenants.accounts.services import create_user

    with schema_context(alpha.schema):
        create_user("clerk@alpha.example.com", "Another-pass-77!", role="clerk")
    from django.test import Client

    client = Client(HTTP_HOST=alpha.host)
    client.post("/login/", {"username": "clerk@alpha.example.com", "password": "Another-pass-77!"})
    content = base64.b64encode(ITEMS_CSV.encode()).decode()
    mutation = 'mutation($c: String!) { importData(kind: ITEMS, filename: "i.csv", contentBase64: $c) { errors { code } } }'
    response = client.post(
        "/graphql/", json.dumps({"query": mutation, "variables": {"c": content}}), content_type="application/json"
    )
    assert response.json()["data"]["importData"]["errors"][0]["code"] == "PERMISSION_DENIED"
