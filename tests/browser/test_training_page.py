"""In a real browser, in zh-hans: upload daily history on the training page, fine-tune on it (a real worker),
and see the served model per demand class with its backtest figures and the forecast start date."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.browser.support import AppServer, app_server, db_call
from tests.planning.history_support import csv_bytes, daily_history

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_with_worker(celery_worker: Any, django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app server queueing into the test session's worker (same broker folder, same MLflow store)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    database_url = f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    extra = {
        "CELERY_FILESYSTEM_DIR": str(celery_worker.broker_dir),
        "MLFLOW_TRACKING_URI": celery_worker.mlflow_tracking_uri,
        "MLFLOW_ARTIFACT_ROOT": celery_worker.mlflow_artifact_root,
    }
    with app_server(database_url, Path(settings.VAR_DIR), tmp_path_factory.mktemp("training-app"), extra) as server:
        yield server


def _tenant_with_catalogue(slug: str) -> tuple[str, str]:
    from core.inventory.factories import make_item, make_stock_location
    from tests.conftest import _provision

    info = _provision(slug, ())
    with schema_context(info.schema):
        make_item("A-1")
        make_item("B-2")
        code = make_stock_location("WH1").code
    return info.owner_email, code


def _delete_tenant(slug: str) -> None:
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug=slug):
        delete_tenant(tenant)


def test_upload_fine_tune_and_see_the_served_model_table_in_chinese(
    app_with_worker: AppServer, celery_worker: Any, chromium: Any, artifacts: Path, tmp_path: Path, committed: None
) -> None:
    from tests.browser.support import new_context
    from tests.conftest import OWNER_PASSWORD

    slug = f"tr{uuid.uuid4().hex[:8]}"
    email, code = db_call(_tenant_with_catalogue, slug)
    today = timezone.localdate()
    history = tmp_path / "销售历史.csv"
    history.write_bytes(csv_bytes(daily_history(("A-1", "B-2"), code, today - timedelta(days=120), 120)))
    context = new_context(chromium, "zh-CN")
    page = context.new_page()
    try:
        # given the owner signed in
        page.goto(app_with_worker.tenant_url(slug, "/login/"))
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", OWNER_PASSWORD)
        page.click("button[type=submit]")
        page.goto(app_with_worker.tenant_url(slug, "/training/"))
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator("h1").first.inner_text() == "销售历史与训练"

        # when the history is uploaded and the fine-tune started
        page.set_input_files("input[type=file]", str(history))
        page.click("form.card button[type=submit]")
        page.wait_for_selector("#fine-tune")
        page.screenshot(path=str(artifacts / "01-uploaded.png"), full_page=True)
        page.click("#fine-tune")
        try:
            page.wait_for_selector("table.served-models td.served-model", timeout=300_000)
        except Exception as error:
            raise AssertionError(
                f"no served-model table; worker:\n{celery_worker.log_tail()}\nserver:\n{app_with_worker.log_tail()}"
            ) from error
        page.screenshot(path=str(artifacts / "02-served.png"), full_page=True)

        # then: the served model per class, in Chinese, from the day after the history
        assert page.locator("#forecast-start").inner_text() == today.isoformat()
        assert page.get_by_text("各需求类别使用的模型").count() >= 1
        served = page.locator("table.served-models td.served-model").all_inner_texts()
        assert served and all(text.strip() for text in served)
        page.goto(app_with_worker.tenant_url(slug, "/training/"))
        assert page.locator("#forecast-start").inner_text() == today.isoformat()
        assert page.locator("table.served-models td.served-model").count() == len(served)
        page.screenshot(path=str(artifacts / "03-training-page.png"), full_page=True)
    finally:
        context.close()
        db_call(_delete_tenant, slug)
