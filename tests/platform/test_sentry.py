"""Sentry: off without a DSN; with one, errors reach it tagged with the tenant and carry no personal data."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import include, path

from core.observability import init_sentry


class FailingReportError(RuntimeError):
    pass


def failing_report(request: HttpRequest) -> HttpResponse:
    # Touch the signed-in user, as a real view would, so the event has every chance to leak it.
    raise FailingReportError(f"report failed for user #{request.user.pk}")


# The tenant site plus one page that always fails.
urlpatterns = [path("failing-report/", failing_report), path("", include("core.urls_tenant"))]


class SentrySink:
    """A local HTTP server standing in for sentry.io: it records every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[list[dict]] = []
        self.raw: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                sink.raw.append(body)
                sink.envelopes.append([json.loads(line) for line in body.splitlines() if line.strip()])
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://public@127.0.0.1:{self.server.server_address[1]}/1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        # An envelope is: header, then (item header, item payload) pairs; keep the error events.
        found = []
        for envelope in self.envelopes:
            for item_header, payload in zip(envelope[1::2], envelope[2::2], strict=False):
                if item_header.get("type") == "event":
                    found.append(payload)
        return found


@pytest.fixture
def sentry_sink() -> Iterator[SentrySink]:
    sink = SentrySink()
    sink.thread.start()
    assert init_sentry(sink.dsn, "test")
    try:
        yield sink
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        sink.server.shutdown()


def test_sentry_stays_off_without_a_dsn():
    # given / when
    started = init_sentry("", "production")
    # then
    assert not started
    assert not sentry_sdk.get_client().is_active()


@override_settings(ROOT_URLCONF=__name__)
def test_error_in_a_tenant_request_reaches_sentry_tagged_with_the_tenant_and_without_personal_data(alpha, sentry_sink):
    # given a signed-in owner on alpha's host
    client = alpha.client()
    # when a page fails
    with pytest.raises(FailingReportError):
        client.get("/failing-report/?month=2026-11", HTTP_USER_AGENT="pytest")
    sentry_sdk.flush(timeout=5)
    # then the error arrived, tagged with alpha's schema
    events = sentry_sink.events()
    assert len(events) == 1
    event = events[0]
    assert event["tags"]["tenant"] == alpha.schema
    assert event["exception"]["values"][-1]["type"] == "FailingReportError"
    # and nothing personal travelled: no user, no cookies or session, no email anywhere in the envelope
    raw = b"".join(sentry_sink.raw).decode()
    assert "user" not in event or not event["user"].get("email")
    assert "cookies" not in event.get("request", {})
    assert "Cookie" not in event.get("request", {}).get("headers", {})
    assert alpha.owner_email not in raw
    assert client.cookies["sessionid"].value not in raw
    assert '"vars"' not in raw  # no frame locals: a User's repr is its email
