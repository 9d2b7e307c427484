"""The customer's path: daily history with Sunday closures and promotions, plus plan rows for the next weeks,
uploaded over GraphQL multipart; fine-tuned in a real Celery worker; forecasts read back with `forecasts`
(explicit start date, closed days zero) and the served model per class from `forecastRuns`."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from mlflow import MlflowClient

from core.inventory.factories import make_item, make_stock_location
from core.planning.forecasting import demand_module
from core.planning.models import DemandHistoryUpload, UploadStatus
from ml_models.tracking import registered_model_name
from tests.planning.history_support import csv_bytes, daily_history, plan_rows

UPLOAD = """mutation($file: Upload!) { uploadSalesHistory(file: $file) {
    errors { field message code } upload { databaseId status rowCount planRowCount } } }"""
START = """mutation($id: ID!) { startFineTune(uploadId: $id) { errors { field message code } upload { status } } }"""
FORECASTS = """query($item: ID!, $location: ID!) { forecasts(itemId: $item, locationId: $location) {
    forecastDate p10 p50 p90 } }"""
RUNS = """{ forecastRuns(limit: 1) { trigger status startDate rowsWritten
    servedModels { demandClass model modelLabel wape series baselines { model wape } reasons } } }"""


def _post(client, query: str, **variables: object) -> dict:
    return client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json").json()


def test_history_uploaded_over_multipart_is_fine_tuned_in_the_worker_and_forecasts_are_read_back(celery_worker, committed_tenant):
    # given
    schema = committed_tenant.schema
    skus = ("A-1", "B-2")
    with schema_context(schema):
        items = {sku: make_item(sku).pk for sku in skus}
        location = make_stock_location("WH1")
        module = demand_module()
    today = timezone.localdate()
    lines = daily_history(skus, location.code, today - timedelta(days=140), 140) + plan_rows(skus, location.code, today, 28)
    client = committed_tenant.client()

    # when: the upload (multipart), the fine-tune (worker)
    operations = json.dumps({"query": UPLOAD, "variables": {"file": None}})
    upload_file = SimpleUploadedFile("history.csv", csv_bytes(lines), content_type="text/csv")
    uploaded = client.post(
        "/graphql/", {"operations": operations, "map": json.dumps({"0": ["variables.file"]}), "0": upload_file}
    )
    result = uploaded.json()["data"]["uploadSalesHistory"]
    started = _post(client, START, id=str(result["upload"]["databaseId"]))["data"]["startFineTune"]

    def finished() -> DemandHistoryUpload | None:
        with schema_context(schema):
            row = DemandHistoryUpload.objects.get(pk=result["upload"]["databaseId"])
        return row if row.status in (UploadStatus.DONE, UploadStatus.FAILED) else None

    done = celery_worker.wait_for(finished, timeout=420, interval=1.0)

    # then: the file went in whole, history and plan rows apart
    assert result["errors"] == [] and result["upload"]["status"] == "validated"
    assert (result["upload"]["rowCount"], result["upload"]["planRowCount"]) == (
        280,
        sum(1 for _ in plan_rows(skus, "X", today, 28)),
    )
    assert started["errors"] == [] and started["upload"]["status"] == "training"
    assert done.status == UploadStatus.DONE, celery_worker.log_tail()
    assert done.module == module and done.model_name == registered_model_name(schema, module)
    # forecasts were written as soon as the fine-tune finished, from the day after the history
    run = _post(client, RUNS)["data"]["forecastRuns"][0]
    assert run["trigger"] == "fine_tune" and run["status"] == "done" and run["startDate"] == today.isoformat()
    assert run["rowsWritten"] == 2 * 28
    for served in run["servedModels"]:
        scores = {b["model"]: b["wape"] for b in served["baselines"]}
        # never a figure the customer does not get: the WAPE shown is the served model's
        if served["model"] != "network":
            assert served["wape"] == scores[served["model"]] == min(scores.values())
        elif scores:
            assert served["wape"] < min(scores.values())
    days = _post(client, FORECASTS, item=str(items["A-1"]), location=str(location.pk))["data"]["forecasts"]
    assert [d["forecastDate"] for d in days] == [(today + timedelta(days=h)).isoformat() for h in range(28)]
    closed = [d for d in days if date.fromisoformat(d["forecastDate"]).weekday() == 6]
    assert closed and all(float(d["p90"]) == 0 for d in closed)
    assert all(float(d["p50"]) > 0 for d in days if date.fromisoformat(d["forecastDate"]).weekday() != 6)
    if done.model_version:
        uri = celery_worker.mlflow_tracking_uri
        versions = MlflowClient(tracking_uri=uri, registry_uri=uri).search_model_versions(f"name='{done.model_name}'")
        assert [str(v.version) for v in versions] == [done.model_version]
    with schema_context(schema):
        storages["default"].delete(DemandHistoryUpload.objects.get(pk=done.pk).storage_key)
