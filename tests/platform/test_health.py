"""Health endpoints: /healthz and /readyz answer on the public host only, and say which check failed."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from core.celery import configure_broker, restore_broker


def public_client() -> Client:
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


@pytest.fixture
def broker_restored() -> Iterator[None]:
    """Tests below repoint the broker; put back whatever was configured (a session worker's folder, say)."""
    previous = configure_broker()
    try:
        yield
    finally:
        restore_broker(previous)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_says_the_process_is_up(db):
    # given / when
    response = public_client().get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_database_and_broker_answer(db, broker_restored):
    # given / when
    response = public_client().get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_is_503_and_names_the_broker_when_the_broker_is_down(db, broker_restored):
    # given a broker URL nobody listens on
    configure_broker(f"amqp://guest:guest@127.0.0.1:{unused_port()}//")
    # when
    response = public_client().get("/readyz")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_readyz_is_503_when_the_filesystem_queue_folder_is_gone(db, broker_restored, tmp_path):
    # given the embedded broker's folder removed under a running process
    configure_broker("filesystem://", tmp_path / "broker")
    shutil.rmtree(tmp_path / "broker")
    # when
    response = public_client().get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_health_endpoints_are_not_served_on_tenant_hosts(alpha):
    # given a tenant's host / when / then
    client = Client(HTTP_HOST=alpha.host)
    assert client.get("/healthz").status_code == 404
    assert client.get("/readyz").status_code == 404
