"""The app in a real server process and Debian's Chromium driven by Playwright: shared by the browser tests
and tests/bench/bench_signup.py.

The server is `manage.py runserver` in a subprocess on a free loopback port, against the database in
`database_url` (committed data only: it is another process). Chromium maps every host name to 127.0.0.1,
so `<slug>.<BASE_DOMAIN>:<port>` reaches the server whatever BASE_DOMAIN is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.processes import stop

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
# The check that an element appears or a page loads; generous because ~7 engineers share 2 cores.
STEP_TIMEOUT_MS = 30_000
CHART_DRAWN_JS = """() => {
  if (!window.Chart) return false;
  return Array.from(document.querySelectorAll('canvas')).some((canvas) => {
    const chart = window.Chart.getChart(canvas);
    return !!chart && chart.data.datasets.some((d) => (d.data || []).length > 0) && canvas.width > 0;
  });
}"""


def db_call(function: Callable[..., T], *args: Any) -> T:
    """Run ORM code in a short-lived thread: the test thread holds Playwright's event loop, where Django
    refuses synchronous queries (and would open a connection nobody closes). The thread closes its own."""
    from django.db import connections

    def run() -> T:
        try:
            return function(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    process: subprocess.Popen[bytes]
    port: int
    base_domain: str
    log_path: Path
    mail_dir: Path | None = None

    def mails(self) -> list[str]:
        """Every message the server has sent so far (the file backend writes one file per connection)."""
        if self.mail_dir is None:
            return []
        return [path.read_text(errors="replace") for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime)]

    def wait_for_link(self, pattern: str, to: str, timeout: float = 30.0) -> str:
        """The first URL matching `pattern` in a mail sent to `to`; mails leave after commit, so poll."""
        import re

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in self.mails():
                if f"To: {to}" in text:
                    match = re.search(pattern, text)
                    if match:
                        return match.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to} with a link like {pattern}; the server log:\n{self.log_tail()}")

    @property
    def public_url(self) -> str:
        return f"http://{self.base_domain}:{self.port}"

    def tenant_url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.{self.base_domain}:{self.port}{path}"

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def app_server(database_url: str, var_dir: Path, log_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[AppServer]:
    """`runserver` on a free port; DEBUG=1 so it serves the static files (Chart.js, signup.js) itself."""
    from django.conf import settings

    port = free_port()
    broker = log_dir / "broker"
    broker.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "server.log"
    mail_dir = log_dir / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "core.settings.test"),
        "DATABASE_URL": database_url,
        "JXC_VAR_DIR": str(var_dir),
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "BASE_DOMAIN": settings.BASE_DOMAIN,
        # Nothing leaves the machine: local trial billing, no Sentry; queued tasks stay in a private folder.
        "STRIPE_SECRET_KEY": "",
        "SENTRY_DSN": "",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(broker),
        "TENANT_SPARE_SCHEMAS": "0",
        "JXC_TEST_MAIL_DIR": str(mail_dir),
        **(extra_env or {}),
    }
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(process, port, settings.BASE_DOMAIN, log_path, mail_dir)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        stop(process, timeout=20)


def _wait_until_healthy(server: AppServer, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/healthz", headers={"Host": server.base_domain})
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the app server exited; its log:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app server did not answer /healthz in {timeout:.0f}s; its log:\n{server.log_tail()}")


def chromium_problem() -> str | None:
    """Why Chromium cannot be used here, or None. The browser tests fail on this, they never skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return (
            f"Chromium not found at {CHROMIUM}: run ./jxc test (it installs Debian's chromium) "
            "or set PLAYWRIGHT_CHROMIUM_EXECUTABLE"
        )
    return None


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        # Every host (alpha.localhost, <slug>.example.test, ...) resolves to the test server.
        args=["--host-resolver-rules=MAP * 127.0.0.1", "--no-sandbox", "--disable-dev-shm-usage"],
    )


def new_context(browser: Any, language: str = "zh-CN", phone: bool = False) -> Any:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale=language, viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context


def fill_signup_form(
    page: Any, *, company: str, slug: str, email: str, password: str, modules: list[str], sample_data: bool
) -> None:
    page.fill("#id_company", company)
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    for code in modules:
        page.check(f'input[name="modules"][value="{code}"]')
    if sample_data:
        page.check("#id_sample_data")
    page.fill("#id_slug", slug)
