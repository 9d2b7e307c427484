"""Sales-history uploads over GraphQL: upload, see progress, start fine-tuning; other tenants see nothing."""

from __future__ import annotations

import base64
import json

from django.core.files.storage import storages
from django_tenants.utils import schema_context

from tests.ml_pipeline.conftest import make_catalogue, sales_csv

UPLOAD = """mutation($f: String!, $c: String!) { uploadSalesHistory(filename: $f, contentBase64: $c) {
    errors { field message code } upload { databaseId status rowCount rowErrors { row column message } } } }"""
UPLOADS = "{ salesHistoryUploads { databaseId status progressPercent stage rowCount metrics } }"
START = """mutation($id: ID!) { startFineTune(uploadId: $id) {
    errors { field message code } upload { status stage progressPercent } } }"""


def _post(client, query: str, **variables: object) -> dict:
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json").json()


def _upload(client, data: bytes, filename: str = "sales.csv") -> dict:
    return _post(client, UPLOAD, f=filename, c=base64.b64encode(data).decode())["data"]["uploadSalesHistory"]


def test_a_good_upload_is_listed_with_its_progress_and_hidden_from_other_tenants(alpha, beta):
    # given
    with schema_context(alpha.schema):
        location = make_catalogue(("A-1",))

    # when
    result = _upload(alpha.client(), sales_csv(("A-1",), location, days=3))

    # then
    assert result["errors"] == [] and result["upload"]["status"] == "validated"
    listed = _post(alpha.client(), UPLOADS)["data"]["salesHistoryUploads"]
    assert [(u["status"], u["rowCount"], u["progressPercent"]) for u in listed] == [("validated", 3, 0)]
    assert _post(beta.client(), UPLOADS)["data"]["salesHistoryUploads"] == []
    with schema_context(alpha.schema):
        from core.planning.models import DemandHistoryUpload

        storages["default"].delete(DemandHistoryUpload.objects.get().storage_key)


def test_a_bad_upload_comes_back_rejected_with_row_errors(alpha):
    # when
    result = _upload(alpha.client(), b"date,sku,location,quantity\n2026-01-01,NOPE,NOWHERE,-2\n")

    # then
    assert result["errors"] == []
    assert result["upload"]["status"] == "rejected" and result["upload"]["rowCount"] == 0
    assert [e["column"] for e in result["upload"]["rowErrors"]] == ["sku", "location", "quantity"]


def test_fine_tuning_starts_only_on_a_validated_upload(alpha):
    # given
    with schema_context(alpha.schema):
        location = make_catalogue(("A-1",))
    client = alpha.client()
    good = _upload(client, sales_csv(("A-1",), location, days=3))["upload"]["databaseId"]
    bad = _upload(client, b"")["upload"]["databaseId"]

    # when
    started = _post(client, START, id=str(good))["data"]["startFineTune"]
    refused = _post(client, START, id=str(bad))["data"]["startFineTune"]

    # then
    assert started["errors"] == [] and started["upload"] == {"status": "training", "stage": "queued", "progressPercent": 0}
    assert refused["upload"] is None and refused["errors"][0]["field"] == "uploadId"
    with schema_context(alpha.schema):
        from core.planning.models import DemandHistoryUpload

        storages["default"].delete(DemandHistoryUpload.objects.get(pk=good).storage_key)
