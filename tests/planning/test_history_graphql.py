"""The demand-history API: a multipart file above the document limit is accepted (the limit is the file's),
promotions are managed with typed errors, forecasts refresh on demand, English tenants name items in English,
and the base model follows the tenant's modules."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location
from core.planning.forecasting import demand_module
from core.planning.models import DemandHistoryUpload, ForecastRun, Promotion
from tests.planning.history_support import csv_bytes, daily_history

UPLOAD = """mutation($file: Upload!) { uploadSalesHistory(file: $file) {
    errors { field message code } upload { databaseId status rowCount rowErrors { row column message } } } }"""
SAVE = """mutation($id: ID, $fields: PromotionFields!) { savePromotion(id: $id, fields: $fields) {
    errors { field message code } promotion { databaseId name kind startDate endDate discount locationIds } } }"""
DELETE = "mutation($id: ID!) { deletePromotion(id: $id) { ok errors { field code } } }"
PROMOTIONS = "{ promotions { name kind discount } }"
REFRESH = "mutation { refreshForecasts { errors { code } run { status trigger } } }"
CREATE_ITEM = """mutation { createItem(input: {sku: "EN-1", nameEn: "Green tea"}) { errors { field message } item { sku } } }"""


def _post(client, query: str, **variables: object) -> dict:
    return client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json").json()


def _multipart(client, data: bytes, query: str = UPLOAD):
    operations = json.dumps({"query": query, "variables": {"file": None}})
    file = SimpleUploadedFile("history.csv", data, content_type="text/csv")
    return client.post("/graphql/", {"operations": operations, "map": json.dumps({"0": ["variables.file"]}), "0": file})


def test_a_multipart_file_larger_than_the_document_limit_is_imported(alpha):
    # given a file of about 130 kB, above the 100,000-byte document limit
    skus = tuple(f"S-{i}" for i in range(5))
    with schema_context(alpha.schema):
        for sku in skus:
            make_item(sku)
        code = make_stock_location("WH1").code
    data = csv_bytes(daily_history(skus, code, date(2024, 1, 1), 730))
    assert len(data) > 100_000

    # when
    result = _multipart(alpha.client(), data).json()["data"]["uploadSalesHistory"]

    # then
    assert result["errors"] == [] and result["upload"]["status"] == "validated" and result["upload"]["rowCount"] == 5 * 730
    with schema_context(alpha.schema):
        storages["default"].delete(DemandHistoryUpload.objects.get().storage_key)


def test_the_file_limit_refuses_a_file_over_it_and_the_document_limit_still_holds(alpha):
    # given
    client = alpha.client()

    # when
    with override_settings(ML_UPLOAD_MAX_MB=0.01):
        too_big = _multipart(client, b"date,sku,location,quantity\n" + b"2026-01-01,A,B,1\n" * 1000).json()
    padded = _multipart(client, b"x", query=UPLOAD + " " * 100_001)

    # then
    assert too_big["data"]["uploadSalesHistory"]["errors"][0]["code"] == "UPLOAD_TOO_LARGE"
    assert padded.status_code == 413


def test_per_row_errors_come_back_over_multipart_and_nothing_is_imported(alpha):
    # given
    with schema_context(alpha.schema):
        make_item("A-1")
        code = make_stock_location("WH1").code

    # when
    data = csv_bytes([f"2026-01-01,A-1,{code},3,,,", f"2026-01-02,NOPE,{code},3,,,", "2026-01-03,A-1,NOWHERE,3,,,"])
    result = _multipart(alpha.client(), data).json()["data"]["uploadSalesHistory"]

    # then
    assert result["upload"]["status"] == "rejected"
    assert [(e["row"], e["column"]) for e in result["upload"]["rowErrors"]] == [(3, "sku"), (4, "location")]
    with schema_context(alpha.schema):
        assert not DemandHistoryUpload.objects.filter(status="validated").exists()


def test_promotions_are_created_changed_listed_and_deleted_with_typed_errors(alpha):
    # given
    with schema_context(alpha.schema):
        item = make_item("A-1")
        location = make_stock_location("WH1")
    client = alpha.client()
    fields = {
        "name": "国庆",
        "itemId": str(item.pk),
        "locationIds": [str(location.pk)],
        "startDate": "2026-10-01",
        "endDate": "2026-10-07",
        "discount": "0.2",
    }

    # when
    created = _post(client, SAVE, fields=fields)["data"]["savePromotion"]
    pk = created["promotion"]["databaseId"]
    changed = _post(client, SAVE, id=str(pk), fields={**fields, "discount": "0.3", "kind": "display"})["data"]["savePromotion"]
    backwards = _post(client, SAVE, fields={**fields, "endDate": "2026-09-01"})["data"]["savePromotion"]
    neither = _post(client, SAVE, fields={k: v for k, v in fields.items() if k != "itemId"})["data"]["savePromotion"]
    listed = _post(client, PROMOTIONS)["data"]["promotions"]
    deleted = _post(client, DELETE, id=str(pk))["data"]["deletePromotion"]
    again = _post(client, DELETE, id=str(pk))["data"]["deletePromotion"]

    # then
    assert created["errors"] == [] and created["promotion"]["locationIds"] == [location.pk]
    assert changed["errors"] == [] and changed["promotion"]["databaseId"] == pk
    assert backwards["errors"][0]["field"] == "endDate" and backwards["errors"][0]["code"] == "INVALID_PROMOTION"
    assert neither["errors"][0]["field"] == "itemId"
    assert [(p["name"], p["kind"].lower(), Decimal(p["discount"])) for p in listed] == [("国庆", "display", Decimal("0.3"))]
    assert deleted == {"ok": True, "errors": []} and again["errors"][0]["code"] == "NOT_FOUND"
    with schema_context(alpha.schema):
        assert not Promotion.objects.exists()


def test_refresh_forecasts_queues_a_run_the_page_can_follow(alpha):
    # when
    result = _post(alpha.client(), REFRESH)["data"]["refreshForecasts"]

    # then
    assert (
        result == {"errors": [], "run": {"status": "QUEUED", "trigger": "on_demand"}}
        or result["run"]["status"].lower() == "queued"
    )
    with schema_context(alpha.schema):
        assert ForecastRun.objects.get().trigger == "on_demand"


def test_an_english_tenant_creates_an_item_without_a_chinese_name(alpha):
    # when
    result = _post(alpha.client(), CREATE_ITEM)["data"]["createItem"]

    # then
    assert result == {"errors": [], "item": {"sku": "EN-1"}}


def test_the_base_model_follows_the_tenants_modules(alpha, beta):
    # when
    with schema_context(alpha.schema):
        food = demand_module()
    with schema_context(beta.schema):
        retail = demand_module()

    # then
    assert (food, retail) == ("food", "retail")


def test_a_plan_only_file_needs_no_quantity_column(alpha):
    # given
    with schema_context(alpha.schema):
        make_item("A-1")
        code = make_stock_location("WH1").code
    tomorrow = date.today() + timedelta(days=2)

    # when
    result = _multipart(alpha.client(), f"date,sku,location,promo,open\n{tomorrow.isoformat()},A-1,{code},1,\n".encode())

    # then
    body = result.json()["data"]["uploadSalesHistory"]
    assert body["upload"]["status"] == "validated"
    with schema_context(alpha.schema):
        storages["default"].delete(DemandHistoryUpload.objects.get().storage_key)
