"""Master data over GraphQL: the same kinds, checks and refusals as the pages (typed errors, no half-writes)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django_tenants.utils import schema_context

from core.catalog.models import Unit
from core.inventory.factories import make_item, make_stock_location, receive
from core.locations.models import Location
from tests.conftest import TenantInfo

pytestmark = pytest.mark.django_db

SAVE_UNIT = """mutation($id: ID, $input: UnitMasterInput!) {
  saveUnit(id: $id, input: $input) { record { id kind values } errors { field message code } } }"""
SAVE_CONVERSION = """mutation($input: UnitConversionMasterInput!) {
  saveUnitConversion(input: $input) { record { values } errors { field message code } } }"""
ARCHIVE_LOCATION = """mutation($id: ID!) { archiveLocation(id: $id) { errors { field message code } } }"""
SAVE_TERMS = """mutation($input: SupplierTermsMasterInput!) {
  saveSupplierTerms(input: $input) { record { values } errors { field message code } } }"""
LIST = """query($kind: MasterDataKind!, $search: String) { masterData(kind: $kind, search: $search) { id kind active values } }"""


def gql(client: Any, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def code(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}".upper()


def test_a_unit_is_created_edited_listed_and_a_duplicate_is_a_typed_error(alpha: TenantInfo) -> None:
    client = alpha.client()
    unit_code = code("U")

    created = gql(client, SAVE_UNIT, input={"code": unit_code, "name": "箱"})["saveUnit"]
    duplicate = gql(client, SAVE_UNIT, input={"code": unit_code, "name": "又一个"})["saveUnit"]
    edited = gql(client, SAVE_UNIT, id=created["record"]["id"], input={"name": "纸箱"})["saveUnit"]

    assert created["errors"] == [] and created["record"]["values"] == {"code": unit_code, "name": "箱"}
    assert [(e["field"], e["code"]) for e in duplicate["errors"]] == [("code", "DUPLICATE_UNIT")]
    assert edited["errors"] == [] and edited["record"]["values"]["name"] == "纸箱"
    listed = gql(client, LIST, kind="UNIT", search=unit_code)["masterData"]
    assert [r["values"]["name"] for r in listed] == ["纸箱"]
    with schema_context(alpha.schema):
        assert Unit.objects.filter(code=unit_code).count() == 1


def test_a_conversion_loop_and_archiving_a_stocked_location_are_refused(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        item = make_item(code("CONV"))
        case, pack = Unit.objects.create(code=code("CASE"), name="箱"), Unit.objects.create(code=code("PACK"), name="包")
        stocked = make_stock_location()
        receive(item, stocked, "2")
    gql(client, SAVE_CONVERSION, input={"item": item.sku, "unit": pack.code, "factor": "6"})
    gql(client, SAVE_CONVERSION, input={"item": item.sku, "unit": case.code, "factor": "2", "toUnit": pack.code})

    loop = gql(client, SAVE_CONVERSION, input={"item": item.sku, "unit": pack.code, "factor": "0.5", "toUnit": case.code})
    archive = gql(client, ARCHIVE_LOCATION, id=str(stocked.pk))["archiveLocation"]

    assert [e["code"] for e in loop["saveUnitConversion"]["errors"]] == ["CONVERSION_LOOP"]
    assert [e["code"] for e in archive["errors"]] == ["LOCATION_HOLDS_STOCK"]
    with schema_context(alpha.schema):
        assert Location.objects.get(pk=stocked.pk).active


def test_supplier_terms_with_an_unknown_supplier_code_name_the_field(alpha: TenantInfo) -> None:
    client = alpha.client()
    with schema_context(alpha.schema):
        item = make_item(code("T"))

    result = gql(client, SAVE_TERMS, input={"supplier": "NOPE", "item": item.sku, "unitPrice": "3", "moq": "10"})[
        "saveSupplierTerms"
    ]

    assert [e["field"] for e in result["errors"]] == ["supplier"] and result["record"] is None


def test_a_viewer_cannot_save_master_data(alpha: TenantInfo) -> None:
    from tenants.accounts.roles import Role
    from tests.web.support import client_with_role

    viewer = client_with_role(alpha, Role.VIEWER)
    result = gql(viewer, SAVE_UNIT, input={"code": code("U"), "name": "x"})["saveUnit"]
    assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
