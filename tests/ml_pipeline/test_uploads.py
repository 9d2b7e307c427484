"""Sales-history uploads: a good file is stored and imported; any bad row rejects the whole file."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.utils import translation
from django_tenants.utils import schema_context

from core.planning.models import DemandHistoryRow, UploadStatus
from core.planning.selectors import sales_history_uploads, upload_rows
from core.planning.uploads import upload_demand_history
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor


@pytest.fixture(autouse=True)
def _in_english():
    """The messages below are the English ones; the reader's language decides (see the zh-hans test)."""
    with translation.override("en"):
        yield


def _rejected_with(data: bytes, filename: str = "sales.csv"):
    upload = upload_demand_history(data, filename, system_actor())
    assert upload.status == UploadStatus.REJECTED
    assert DemandHistoryRow.objects.count() == 0
    assert upload.storage_key == ""
    return upload.errors


def test_a_good_file_is_stored_under_the_tenant_prefix_and_its_rows_imported(in_alpha):
    # given
    location = make_catalogue()
    data = sales_csv(("A-1", "B-2"), location, days=3)

    # when
    upload = upload_demand_history(data, "销售 2026.csv", system_actor())

    # then
    assert upload.status == UploadStatus.VALIDATED and upload.errors == []
    assert upload.row_count == 6 and upload_rows(upload.pk).count() == 6
    assert upload.storage_key.startswith(f"tenants/{in_alpha.schema}/uploads/")
    with storages["default"].open(upload.storage_key) as stored:
        assert stored.read() == data
    storages["default"].delete(upload.storage_key)


def test_a_gb18030_file_is_accepted(in_alpha):
    # given
    location = make_catalogue(("茶-1",))
    data = sales_csv(("茶-1",), location, days=2).decode().encode("gb18030")

    # when
    upload = upload_demand_history(data, "gbk.csv", system_actor())

    # then
    assert upload.status == UploadStatus.VALIDATED and upload.encoding == "gb18030"
    assert {r.item.sku for r in upload_rows(upload.pk)} == {"茶-1"}
    storages["default"].delete(upload.storage_key)


def test_unknown_sku_or_location_bad_date_and_negative_quantity_are_reported_per_row(in_alpha):
    # given
    location = make_catalogue(("A-1",))
    data = (
        "date,sku,location,quantity\n"
        f"2026-01-01,A-1,{location},3\n"
        f"2026-02-30,A-1,{location},3\n"
        f"2026-01-03,NOPE,{location},3\n"
        "2026-01-04,A-1,NOWHERE,3\n"
        f"2026-01-05,A-1,{location},-1\n"
    ).encode()

    # when
    errors = _rejected_with(data)

    # then
    assert [(e["row"], e["column"]) for e in errors] == [(3, "date"), (4, "sku"), (5, "location"), (6, "quantity")]


def test_wrong_columns_reject_the_file(in_alpha):
    # given
    data = b"day,sku,store,qty\n2026-01-01,A-1,WH1,3\n"

    # when
    errors = _rejected_with(data)

    # then
    columns = {e["column"] for e in errors}
    assert {"date", "location", "day", "store", "qty"} == columns  # quantity may be absent: a file of plan rows
    assert all(e["row"] == 1 for e in errors)


def test_a_file_in_another_encoding_is_rejected(in_alpha):
    # given
    location = make_catalogue(("A-1",))
    data = sales_csv(("A-1",), location, days=2).decode().encode("utf-16")

    # when
    errors = _rejected_with(data)

    # then
    assert errors == [{"row": 0, "column": "", "message": "The file is neither UTF-8 nor GB18030 text."}]


def test_an_empty_file_is_rejected(in_alpha):
    # when
    errors = _rejected_with(b"", "empty.csv")

    # then
    assert errors[0]["message"] == "The file is empty."


def test_a_file_over_the_size_limit_is_rejected(in_alpha):
    # given
    location = make_catalogue(("A-1",))
    data = sales_csv(("A-1",), location, days=40)

    # when
    with override_settings(ML_UPLOAD_MAX_MB=0.0005):
        errors = _rejected_with(data)

    # then
    assert "larger than" in errors[0]["message"]


def test_one_bad_row_among_good_ones_imports_nothing(in_alpha):
    # given
    location = make_catalogue(("A-1",))
    good = sales_csv(("A-1",), location, days=30).decode()

    # when
    errors = _rejected_with((good + f"2026-03-01,A-1,{location},abc,9.90,0\n").encode())

    # then
    assert errors == [{"row": 32, "column": "quantity", "message": "'abc' is not a number."}]


def test_another_tenant_never_sees_the_uploads_or_rows(alpha, beta):
    # given
    with schema_context(alpha.schema):
        location = make_catalogue(("A-1",))
        upload = upload_demand_history(sales_csv(("A-1",), location, days=2), "a.csv", system_actor())

    # when
    with schema_context(beta.schema):
        seen_uploads = list(sales_history_uploads())
        seen_rows = DemandHistoryRow.objects.count()

    # then
    assert seen_uploads == [] and seen_rows == 0
    with schema_context(alpha.schema):
        assert list(sales_history_uploads()) == [upload]
    assert not upload.storage_key.startswith(f"tenants/{beta.schema}/")
    storages["default"].delete(upload.storage_key)


def test_row_errors_are_written_in_the_readers_language(in_alpha):
    # given
    location = make_catalogue(("A-1",))

    # when
    with translation.override("zh-hans"):
        errors = _rejected_with(f"date,sku,location,quantity\n2026-01-01,NOPE,{location},3\n".encode())

    # then
    assert errors == [{"row": 2, "column": "sku", "message": "未知商品编码 'NOPE'。"}]
