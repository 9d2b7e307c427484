"""Sales-history upload & training pages: a bad file lists its row errors; progress is the tenant's own."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from core.planning.models import DemandHistoryRow, DemandHistoryUpload
from core.planning.uploads import upload_demand_history
from tenants.accounts.roles import Role
from tests.web.support import client_with_role

BAD_CSV = b"date,sku,location,quantity\n2026-13-01,NO-SUCH-SKU,NOWHERE,abc\n"


def _upload(client, data: bytes = BAD_CSV):
    return client.post("/training/", {"file": SimpleUploadedFile("sales.csv", data, content_type="text/csv")})


def test_training_pages_render_in_chinese_and_english(alpha):
    # given
    client = alpha.client()
    detail = _upload(client)["Location"]

    for url, zh, en in [("/training/", "销售历史与训练", "Sales history & training"), (detail, "问题", "Problems")]:
        # when
        chinese = client.get(url)
        english = client.get(url + "?lang=en")

        # then
        assert chinese.status_code == 200, url
        assert zh in chinese.content.decode(), url
        assert english.status_code == 200, url
        assert en in english.content.decode(), url


def test_a_bad_csv_shows_its_row_errors_and_imports_nothing(alpha):
    # given
    client = alpha.client()
    with schema_context(alpha.schema):
        rows_before = DemandHistoryRow.objects.count()

    # when
    response = client.get(_upload(client)["Location"])

    # then
    page = response.content.decode()
    assert 'class="row-errors"' in page
    assert "NO-SUCH-SKU" in page or "sku" in page
    with schema_context(alpha.schema):
        assert DemandHistoryRow.objects.count() == rows_before
        assert DemandHistoryUpload.objects.order_by("-pk").first().status == "rejected"


def test_the_progress_endpoint_answers_json_for_the_tenants_own_upload_only(alpha, beta):
    # given
    client = alpha.client()
    own = int(_upload(client)["Location"].rstrip("/").rsplit("/", 1)[1])
    with schema_context(alpha.schema):
        highest_in_alpha = DemandHistoryUpload.objects.order_by("-pk").first().pk
    with schema_context(beta.schema):
        # an id that exists in beta only (ids are per schema, so step past alpha's)
        foreign = upload_demand_history(BAD_CSV, "beta.csv", actor="owner").pk
        while foreign <= highest_in_alpha:
            foreign = upload_demand_history(BAD_CSV, "beta.csv", actor="owner").pk

    # when
    mine = client.get(f"/training/{own}/progress.json")
    theirs = client.get(f"/training/{foreign}/progress.json")

    # then
    assert mine.status_code == 200
    assert mine.json() == {"id": own, "status": "rejected", "percent": 0, "stage": "", "stage_label": ""}
    assert theirs.status_code == 404


def test_a_viewer_cannot_upload_or_fine_tune(alpha):
    # given
    own = int(_upload(alpha.client())["Location"].rstrip("/").rsplit("/", 1)[1])
    viewer = client_with_role(alpha, Role.VIEWER)

    # when
    upload = _upload(viewer)
    fine_tune = viewer.post(f"/training/{own}/fine-tune/")

    # then
    assert (upload.status_code, fine_tune.status_code) == (403, 403)
