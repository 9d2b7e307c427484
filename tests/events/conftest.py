"""Fixtures for the events tests: a small pipeline document, a local webhook receiver, a second tenant."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from tests.events.documents import Parcel


@pytest.fixture
def parcels(in_alpha):
    """The parcel table in alpha's schema, created inside the test transaction (and rolled back with it)."""
    with connection.schema_editor() as editor:
        editor.create_model(Parcel)
    return Parcel


@dataclass
class ReceivedRequest:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An integrator's endpoint on 127.0.0.1: answers with the scripted status codes, then 200."""

    url: str
    statuses: list[int] = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(ReceivedRequest(dict(self.headers.items()), self.rfile.read(length)))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/jxc"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _provision_committed(label: str):
    from tenants.services import provision_tenant

    slug = f"{label}{uuid.uuid4().hex[:8]}"
    return provision_tenant(f"{slug} Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "en")


@pytest.fixture(scope="session")
def webhook_tenants(tenants_setup, django_db_blocker):
    """Two fresh committed tenants shared by the events tests that need commits (provisioning is the slow part)."""
    from tenants.models import Tenant
    from tenants.services import delete_tenant

    with django_db_blocker.unblock():
        pair = (_provision_committed("wha"), _provision_committed("whb"))
    yield pair
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for tenant in pair:
            delete_tenant(Tenant.objects.get(pk=tenant.pk))


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process when sent (after commit), so no message outlives the test's tenant."""
    from core.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def _clear_events() -> None:
    from core.events.models import DomainEvent, WebhookEndpoint

    WebhookEndpoint.objects.all().delete()  # cascades to deliveries and their log
    DomainEvent.objects.all().delete()  # cascades to the outbox


@pytest.fixture
def in_committed(webhook_tenants, committed, eager_tasks):
    """The test body runs in a committed tenant's schema (tasks run eagerly after each commit); the
    events and webhook rows of both module tenants are cleared afterwards."""
    from django_tenants.utils import schema_context

    try:
        with schema_context(webhook_tenants[0].schema_name):
            yield webhook_tenants[0]
    finally:
        for tenant in webhook_tenants:
            with schema_context(tenant.schema_name):
                _clear_events()


@pytest.fixture
def other_tenant(webhook_tenants):
    return webhook_tenants[1]
