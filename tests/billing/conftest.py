"""Billing test harness: a real localstripe process (extended, see localstripe_server.py) that the official
Stripe SDK reaches over HTTP, and the app served over HTTP so webhooks arrive as Stripe sends them.

Nothing stubs the SDK. The only stand-ins are the ones Stripe itself has no local equivalent for: the
harness routes that force a subscription's status (Stripe's test clocks) or simulate an outage.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe
from django.conf import settings as django_settings

from tests.processes import stop

# Requests between the tests, the app and localstripe stay on loopback, never through a proxy.
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

API_KEY = "sk_test_jxc_harness"
WEBHOOK_SECRET = "whsec_jxc_harness"


@dataclass
class LocalStripe:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{self.base_url}{path}", json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
        assert response.ok, f"{path}: {response.status_code} {response.text}\n{self.log_tail()}"
        return response.json() if response.content else {}

    def get(self, path: str) -> dict[str, Any]:
        """Raw JSON of a Stripe object, as it would be embedded in an event."""
        response = requests.get(f"{self.base_url}{path}", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
        assert response.ok, response.text
        return response.json()

    def set_status(self, subscription_id: str, status: str) -> dict[str, Any]:
        """What a failed renewal or a cancellation does (Stripe's test clocks in real Stripe)."""
        return self._post(f"/_harness/subscriptions/{subscription_id}/status", {"status": status})

    def complete_checkout(self, session_id: str) -> dict[str, Any]:
        """The customer finishes the Checkout page (a card saved through a SetupIntent)."""
        return self._post(f"/_harness/checkout/{session_id}/complete", {})

    def outage(self, on: bool) -> None:
        self._post("/_harness/outage", {"outage": on})

    def send_webhooks_to(self, url: str | None) -> None:
        """Have localstripe deliver its own signed events to `url`; None stops delivery."""
        events = None if url else ["harness.nothing"]
        body: dict[str, Any] = {"url": url or "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET}
        if events:
            body["events"] = events
        self._post("/_config/webhooks/jxc", body)

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(API_KEY, base_addresses={"api": self.base_url}, max_network_retries=0)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    state_dir = tmp_path_factory.mktemp("localstripe")
    log_path = state_dir / "localstripe.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.billing.localstripe_server", "--state-dir", str(state_dir)],
            cwd=django_settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    harness = LocalStripe(_wait_until_listening(process, state_dir / "port", log_path), process, log_path)
    try:
        yield harness
    finally:
        stop(process, timeout=10)


def _wait_until_listening(process: subprocess.Popen[bytes], port_file: Path, log_path: Path, timeout: float = 90) -> str:
    """localstripe's base URL once it answers HTTP: the port file names the port, a request proves it serves.

    Generous but bounded: on a loaded two-core machine the interpreter alone can take many seconds to start.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        port = port_file.read_text().strip() if port_file.exists() else ""
        if port.isdigit():
            base_url = f"http://127.0.0.1:{int(port)}"
            try:
                requests.get(f"{base_url}/v1/customers", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
            except requests.ConnectionError:
                pass
            else:
                return base_url
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"localstripe did not start within {timeout}s:\n{log_path.read_text(errors='replace')}")


@pytest.fixture
def stripe_mode(localstripe: LocalStripe, settings: Any) -> LocalStripe:
    """Stripe keys configured and pointed at localstripe; the catalog synced (idempotent, so cheap)."""
    from billing.catalog import sync_catalog

    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.base_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    localstripe.outage(False)
    sync_catalog()
    return localstripe


@pytest.fixture
def local_mode(settings: Any) -> None:
    """No keys: the embedded default. The API base points at a closed port, so any Stripe call would fail."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"


# --- the app over HTTP -------------------------------------------------------------------------------


@dataclass
class AppServer:
    base_url: str

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/billing/stripe/webhook/"

    def deliver(self, payload: bytes, signature: str) -> requests.Response:
        return requests.post(
            self.webhook_url,
            data=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            timeout=30,
        )


def _public_host(app: Callable[..., Any]) -> Callable[..., Any]:
    # Stands where the production reverse proxy does: requests to 127.0.0.1 (from the tests and from
    # localstripe) reach the public site, whose host name is BASE_DOMAIN.
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["HTTP_HOST"] = django_settings.BASE_DOMAIN
        return app(environ, start_response)

    return wrapped


@pytest.fixture(scope="session")
def app_server(django_db_setup: None) -> Iterator[AppServer]:
    """The Django app in a threaded WSGI server on 127.0.0.1 (a thread per request, each with its own
    database connection, so requests run concurrently and see committed data only)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(_public_host(get_wsgi_application()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield AppServer(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


# --- Stripe events as Stripe sends them ------------------------------------------------------------


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe computes: HMAC-SHA256 over "<t>.<payload>"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def subscription_event(localstripe: LocalStripe, subscription_id: str, event_type: str = "") -> bytes:
    """An event carrying a snapshot of the subscription as localstripe has it now."""
    snapshot = localstripe.get(f"/v1/subscriptions/{subscription_id}")
    event_type = event_type or (
        "customer.subscription.deleted" if snapshot["status"] == "canceled" else "customer.subscription.updated"
    )
    event = {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": stripe.api_version,
        "data": {"object": snapshot},
    }
    return json.dumps(event).encode()


@dataclass
class Billed:
    """A committed tenant billed through Stripe (trial, food + retail + core)."""

    info: Any
    localstripe: LocalStripe
    checkout_url: str

    @property
    def tenant(self) -> Any:
        return self.info.tenant

    @property
    def account(self) -> Any:
        from billing.models import BillingAccount

        return BillingAccount.objects.get(tenant=self.info.tenant)

    @property
    def subscription_id(self) -> str:
        return self.account.stripe_subscription_id

    def statuses(self) -> dict[str, str]:
        from billing.models import ModuleEntitlement

        return dict(ModuleEntitlement.objects.filter(tenant=self.info.tenant).values_list("module_code", "status"))


@pytest.fixture
def billed(committed_tenant: Any, stripe_mode: LocalStripe) -> Iterator[Billed]:
    from billing.models import StripeEvent
    from billing.subscriptions import begin_billing

    before = set(StripeEvent.objects.values_list("pk", flat=True))
    checkout_url = begin_billing(
        committed_tenant.tenant,
        ["food", "retail"],
        email=committed_tenant.owner_email,
        success_url="http://localhost/billing/done",
        cancel_url="http://localhost/billing/cancel",
    )
    assert checkout_url
    yield Billed(committed_tenant, stripe_mode, checkout_url)
    # Committed rows outside the tenant (events are not tenant rows) are removed by hand.
    StripeEvent.objects.exclude(pk__in=before).delete()


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(message or f"condition not met within {timeout}s")
