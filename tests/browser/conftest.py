"""Browser-test fixtures: the app served by a real server process on the test database, Debian's Chromium.

Chromium missing is a failure, not a skip: CI must not pass without having run the browser tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.browser.support import AppServer, app_server, chromium_problem, db_call, launch_chromium, new_context

SERVER_APPLICATION_NAME = "jxc-browser-test-server"  # tags the server's database sessions


@pytest.fixture(scope="session")
def live_app(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    database_url = f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    database_url += f"?application_name={SERVER_APPLICATION_NAME}"
    with app_server(database_url, Path(settings.VAR_DIR), tmp_path_factory.mktemp("app-server")) as server:
        yield server
    with django_db_blocker.unblock():
        _wait_for_server_sessions_to_end(db["NAME"])


def _wait_for_server_sessions_to_end(database: str, timeout: float = 10.0) -> None:
    """PostgreSQL ends a stopped client's backends a moment later; the test database can only be dropped then."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                [database, SERVER_APPLICATION_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture(scope="module")
def chromium(tenants_setup: dict) -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop in this thread while it runs, which Django
    takes for async code; stopping it after the module gives the following tests a plain thread back.
    While it runs, the tests reach the database through `db_call` (another thread); the session's
    alpha/beta tenants are provisioned before it starts, for the same reason."""
    problem = chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Screenshots of this test, kept after the run (var/test-artifacts/browser/<test>/)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = Path(settings.VAR_DIR) / "test-artifacts" / "browser" / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(chromium: Any, artifacts: Path) -> Iterator[Any]:
    context = new_context(chromium, "zh-CN")
    page = context.new_page()
    try:
        yield page
    finally:
        if not page.is_closed():
            page.screenshot(path=str(artifacts / "zz-last.png"), full_page=True)
        context.close()


@pytest.fixture
def created_slugs(committed: None) -> Iterator[list[str]]:
    """Tenants a test signs up through the browser; deleted afterwards (they are committed)."""
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    slugs: list[str] = []
    yield slugs

    def delete_created() -> None:
        for tenant in Tenant.objects.filter(slug__in=slugs):
            delete_tenant(tenant)

    db_call(delete_created)
