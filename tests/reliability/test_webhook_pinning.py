"""DNS rebinding against outbound webhooks: the delivery connects to the address it checked, never to what the
name resolves to a moment later."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from core.events import webhooks


@pytest.fixture
def loopback_receiver() -> Iterator[SimpleNamespace]:
    state = SimpleNamespace(hosts=[], port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.hosts.append(self.headers.get("Host"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _rebinding_dns(monkeypatch, name: str, first: str, then: str) -> list[str]:
    """`name` resolves to `first` once, then to `then`, as a rebinding DNS server with a zero TTL answers."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def resolve(host, *args, **kwargs):
        if host != name:
            return real(host, *args, **kwargs)
        address = first if not answers else then
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return answers


def _attempt(url: str) -> webhooks.AttemptResult:
    endpoint = SimpleNamespace(url=url, secret="whsec_test")
    delivery = SimpleNamespace(pk=1, request_body='{"event": "test"}')
    return webhooks._post(endpoint, delivery, "test.event")


def test_the_delivery_connects_to_the_checked_address_not_a_later_answer(loopback_receiver, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on loopback; what is checked is the pinning
    answers = _rebinding_dns(monkeypatch, "rebind.test", first="127.0.0.1", then="127.0.0.2")
    result = _attempt(f"http://rebind.test:{loopback_receiver.port}/hooks")
    print(f"\nDNS answers {answers}: delivery {result}")
    assert result.succeeded, result
    assert answers == ["127.0.0.1"], "resolved once; the connection used that answer"
    assert loopback_receiver.hosts == [f"rebind.test:{loopback_receiver.port}"], "the Host header names the host"


def test_a_name_rebound_to_a_private_address_after_the_check_never_reaches_it(loopback_receiver, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    answers = _rebinding_dns(monkeypatch, "rebind.test", first="192.0.2.10", then="127.0.0.1")
    monkeypatch.setattr(webhooks, "is_public_address", lambda address: address == "192.0.2.10")
    result = _attempt(f"http://rebind.test:{loopback_receiver.port}/hooks")
    print(f"\nDNS answers {answers}: delivery {result}; requests reaching the private receiver: {len(loopback_receiver.hosts)}")
    assert not result.succeeded
    assert loopback_receiver.hosts == []


def test_a_name_that_resolves_to_a_private_address_is_refused(loopback_receiver, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    _rebinding_dns(monkeypatch, "inside.test", first="10.0.0.5", then="10.0.0.5")
    result = _attempt("http://inside.test/hooks")
    assert (result.succeeded, result.error) == (False, "address not allowed")
