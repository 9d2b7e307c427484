"""Signed outbound webhooks: drain the outbox into deliveries, send them after commit, retry with backoff.

Signature (copy `verify_signature` into your receiver):
    X-JXC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>
    X-JXC-Event: purchase_order.submitted
    X-JXC-Delivery: <delivery id>   (the same id on every retry and replay: deduplicate on it)
Delivery is at-least-once. A 2xx answer within 5 s is a success (redirects are not followed); anything
else is retried no earlier than 30 s, 2 min, 10 min, 1 h and 6 h later (±20 % jitter; the per-minute beat
picks retries up), then the delivery is dead until an admin replays it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from requests.adapters import HTTPAdapter

from core.events.models import DeliveryStatus, DomainEvent, OutboxMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.modules import registry

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-JXC-Signature"
EVENT_HEADER = "X-JXC-Event"
DELIVERY_HEADER = "X-JXC-Delivery"
TIMEOUT_SECONDS = 5
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1  # the first try plus one per backoff step
JITTER = 0.2
SEND_BATCH = 20
# Claimed deliveries are leased: no other worker picks them up until the lease runs out, which outlasts a
# whole batch of timeouts. A worker that dies mid-batch only delays them (delivery is at-least-once).
LEASE = timedelta(seconds=SEND_BATCH * TIMEOUT_SECONDS + 30)
SEND_BUDGET_SECONDS = 50  # one run stops claiming after this, so the per-minute beat never piles up
OUTBOX_BATCH = 500
OUTBOX_MAX_ATTEMPTS = 10  # tries of the event consumers before a message is given up (webhooks are made on the first)

EventConsumer = Callable[[DomainEvent], object]  # what a consumer returns is ignored
_consumers: list[EventConsumer] = []


def register_event_consumer(fn: EventConsumer) -> EventConsumer:
    """Run `fn(event)` for every committed event as the outbox drains (the rules engine, notifications).

    It runs in the drain's transaction under a savepoint: if it raises, the message stays in the outbox and
    every consumer runs again on the next drain (up to OUTBOX_MAX_ATTEMPTS), so consumers must be
    idempotent. Never call HTTP from a consumer.
    """
    if fn not in _consumers:
        _consumers.append(fn)
    return fn


def unregister_event_consumer(fn: EventConsumer) -> None:
    if fn in _consumers:
        _consumers.remove(fn)


def event_consumers() -> list[EventConsumer]:
    """The consumers modules declare (`event_consumers` in the registry), then those registered at run time."""
    declared = registry.event_consumers()
    return declared + [fn for fn in _consumers if fn not in declared]


# --- signing -------------------------------------------------------------------------------------


def sign(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: str | bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """True when `header` (X-JXC-Signature) signs `body` with `secret` and is at most `tolerance` s old.

    Self-contained (hashlib, hmac, time) so integrators can copy it. Pass the raw request body, not a
    re-serialised JSON document: any byte of difference fails the check, which is the point. A receiver:

        def jxc_webhook(request):                      # e.g. a Django view
            if not verify_signature(SECRET, request.headers.get("X-JXC-Signature", ""), request.body):
                return HttpResponse(status=400)
            if already_handled(request.headers["X-JXC-Delivery"]):   # retries and replays reuse the id
                return HttpResponse(status=200)
            handle(json.loads(request.body))           # answer 2xx within 5 s; queue slow work
            return HttpResponse(status=204)
    """
    if isinstance(body, bytes):
        try:
            body = body.decode()
        except UnicodeDecodeError:
            return False
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # a replayed old request
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))


# --- draining the outbox -------------------------------------------------------------------------


def event_body(event: DomainEvent, tenant_slug: str) -> str:
    """The JSON document an endpoint receives; stored on the delivery so retries and replays send the same bytes."""
    document = {
        "id": f"evt_{event.pk}",
        "type": event.event_type,
        "tenant": tenant_slug,
        "occurred_at": event.occurred_at.isoformat(),
        "data": {
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "actor": event.actor,
            "blocking_reason": event.blocking_reason,
            "payload": event.payload,
        },
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def tenant_slug() -> str:
    from django_tenants.utils import get_tenant_model

    schema: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' connection
    slug = get_tenant_model().objects.filter(schema_name=schema).values_list("slug", flat=True).first()
    return slug or schema


def drain_outbox(batch_size: int = OUTBOX_BATCH) -> int:
    """Turn pending outbox messages into webhook deliveries and feed the event consumers. Returns messages done."""
    return _drain_batch(batch_size)[1]


def _drain_batch(batch_size: int) -> tuple[int, int]:
    """(messages claimed, messages done). Rows are claimed with SKIP LOCKED, so several workers can drain
    one tenant without waiting on each other; deliveries and the processed mark are written in bulk."""
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    slug = tenant_slug() if endpoints else ""
    consumers = event_consumers()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(processed_at__isnull=True)
            .select_related("event")
            .order_by("pk")[:batch_size]
        )
        now = timezone.now()
        deliveries: list[WebhookDelivery] = []
        done_ids: list[int] = []
        for message in messages:
            event = message.event
            matching = [endpoint for endpoint in endpoints if endpoint.wants(event.event_type)]
            if matching:
                # Webhooks do not wait on the consumers: a failing consumer must not hold an integrator's events back.
                body = event_body(event, slug)
                deliveries += [WebhookDelivery(endpoint=e, event=event, request_body=body, next_attempt_at=now) for e in matching]
            if consumers and not _run_consumers(consumers, message, now):
                continue
            done_ids.append(message.pk)
        # drained twice after a crash: the unique (endpoint, event) keeps one delivery each
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxMessage.objects.filter(pk__in=done_ids).update(processed_at=now, attempts=F("attempts") + 1, last_error="")
    return len(messages), len(done_ids)


def _run_consumers(consumers: list[EventConsumer], message: OutboxMessage, now: datetime) -> bool:
    """True when every consumer took the event; on failure the message is kept (or given up) here."""
    try:
        with transaction.atomic():
            for consumer in consumers:
                consumer(message.event)
    except Exception as error:
        logger.exception("outbox message %s: an event consumer failed", message.pk)
        message.attempts += 1
        message.last_error = type(error).__name__[:300]
        if message.attempts >= OUTBOX_MAX_ATTEMPTS:
            # give up, so one poisoned event cannot block the ones behind it; the error stays on the row
            message.processed_at = now
        message.save(update_fields=["attempts", "last_error", "processed_at"])
        return False
    return True


# --- where a webhook may go ---------------------------------------------------------------------


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def host_allowed(url: str, *, resolve: bool) -> bool:
    """Whether a webhook may be sent to `url`'s host: a tenant admin must not reach our own network
    (loopback, private ranges, link-local cloud metadata) through it. WEBHOOK_ALLOW_PRIVATE_NETWORKS
    lifts the check (local development, tests). With `resolve`, every address the name resolves to must
    be public. Sending does not rely on this answer: it connects to the very address it checked
    (`checked_address` and `_PinnedAdapter`), so a rebinding DNS server cannot swap it afterwards."""
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False):
        return True
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return is_public_address(host)
    except ValueError:  # a name, not a literal address: judge what it resolves to
        if not resolve:
            return True
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the request itself fails with "connection failed"
    return all(is_public_address(str(info[4][0])) for info in infos)


class AddressNotAllowed(Exception):
    pass


def checked_address(url: str) -> str:
    """The one address a delivery to `url` will connect to: resolved once, and checked (every address the
    name has must be public unless WEBHOOK_ALLOW_PRIVATE_NETWORKS). Raises AddressNotAllowed, or OSError
    when the name does not resolve."""
    host = urlsplit(url).hostname or ""
    allow_private = getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
    if not allow_private and (host == "localhost" or host.endswith(".localhost")):
        raise AddressNotAllowed(host)
    addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    if not addresses or (not allow_private and not all(is_public_address(a) for a in addresses)):
        raise AddressNotAllowed(host)
    return addresses[0]


class _PinnedAdapter(HTTPAdapter):
    """Connects to one given address whatever the URL's host name resolves to by then. The request keeps
    its Host header, and TLS still sends the host name (SNI) and verifies the certificate against it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        request.headers.setdefault("Host", urlsplit(request.url).netloc.rpartition("@")[2])
        return super().send(request, *args, **kwargs)

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None, cert: Any = None) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": host_params["host"], "assert_hostname": host_params["host"]}
        return self.poolmanager.connection_from_host(
            host=self.address, port=host_params["port"], scheme=host_params["scheme"], pool_kwargs=pool_kwargs
        )


def _pinned_session(session: Any, url: str, address: str) -> requests.Session:
    """`session` (or a new one) with requests to `url`'s origin pinned to `address`; one adapter per origin and
    address is kept on the session, so deliveries to the same receiver reuse their connection."""
    pinned = session if isinstance(session, requests.Session) else requests.Session()
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    adapters = pinned.__dict__.setdefault("_jxc_pinned", {})
    adapter = adapters.get((origin, address))
    if adapter is None:
        adapter = adapters[(origin, address)] = _PinnedAdapter(address)
    pinned.mount(origin, adapter)
    return pinned


# --- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    succeeded: bool
    status_code: int | None
    error: str
    response_ms: int


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, event_type: str, session: Any = requests) -> AttemptResult:
    body = delivery.request_body
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "JXC-Cloud-Webhooks/1",
        SIGNATURE_HEADER: sign(endpoint.secret, body, int(time.time())),
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: str(delivery.pk),
    }
    try:
        address = checked_address(endpoint.url)
    except AddressNotAllowed:
        return AttemptResult(False, None, "address not allowed", 0)
    except OSError:
        return AttemptResult(False, None, "connection failed", 0)
    started = time.monotonic()
    pinned = _pinned_session(session, endpoint.url, address)
    try:
        # Redirects are not followed: a 3xx is a failed attempt, so no redirect can lead past the address check.
        response = pinned.post(endpoint.url, data=body.encode(), headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.Timeout:
        return AttemptResult(False, None, f"timeout after {TIMEOUT_SECONDS}s", _elapsed_ms(started))
    except requests.ConnectionError:
        return AttemptResult(False, None, "connection failed", _elapsed_ms(started))
    except requests.RequestException as error:
        # the class name only: exception text can echo the URL, and URLs can carry tokens
        return AttemptResult(False, None, type(error).__name__, _elapsed_ms(started))
    finally:
        if pinned is not session:
            pinned.close()  # made for this one attempt
    elapsed = _elapsed_ms(started)
    response.close()
    if 200 <= response.status_code < 300:
        return AttemptResult(True, response.status_code, "", elapsed)
    return AttemptResult(False, response.status_code, f"HTTP {response.status_code}", elapsed)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed try, with jitter so a recovering receiver is not stampeded."""
    if attempts >= MAX_ATTEMPTS:
        return None
    base = BACKOFF[attempts - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 — jitter, not cryptography


def _claim_due(now: datetime, limit: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), next_attempt_at__lte=now, endpoint__active=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return ids


def _record_attempt(delivery_id: int, result: AttemptResult, *, replay: bool, actor: str) -> WebhookDelivery:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        now = timezone.now()
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=result.status_code,
            error=result.error,
            response_ms=result.response_ms,
            succeeded=result.succeeded,
            replay=replay,
            actor=actor,
        )
        delivery.last_status_code = result.status_code
        delivery.last_error = result.error
        delivery.response_ms = result.response_ms
        if not replay:
            delivery.attempts += 1  # counts the automatic schedule only; replays are in the log
        if result.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif not replay:
            delay = retry_delay(delivery.attempts)
            delivery.status = DeliveryStatus.FAILED if delay is not None else DeliveryStatus.DEAD
            delivery.next_attempt_at = now + delay if delay is not None else None
        delivery.save()
    return delivery


def send_delivery(delivery_id: int, *, replay: bool = False, actor: str = "system") -> WebhookDelivery:
    """One HTTP attempt, outside any transaction, then the outcome in a short one.

    A replay sends the stored body with a fresh signature; a failed replay leaves the retry schedule alone.
    """
    if connection.in_atomic_block:
        raise RuntimeError("webhooks are sent after commit, never inside a transaction")
    return _send(delivery_id, replay=replay, actor=actor)


def _send(delivery_id: int, *, replay: bool = False, actor: str = "system", session: Any = requests) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    result = _post(delivery.endpoint, delivery, delivery.event.event_type, session)
    return _record_attempt(delivery.pk, result, replay=replay, actor=actor)


def send_due_deliveries(now: datetime | None = None, limit: int = SEND_BATCH) -> list[WebhookDelivery]:
    """Send the deliveries whose time has come (first tries and retries), `limit` at a time, until none is
    due or the run's time budget is spent."""
    if connection.in_atomic_block:
        raise RuntimeError("webhooks are sent after commit, never inside a transaction")
    started = time.monotonic()
    sent: list[WebhookDelivery] = []
    with requests.Session() as session:  # keep-alive to endpoints that receive several deliveries
        while time.monotonic() - started < SEND_BUDGET_SECONDS:
            claimed = _claim_due(now or timezone.now(), limit)
            sent += [_send(delivery_id, session=session) for delivery_id in claimed]
            if len(claimed) < limit:
                break
    return sent


@dataclass(frozen=True)
class OutboxRun:
    messages: int
    sent: int
    succeeded: int

    def as_dict(self) -> dict[str, Any]:
        return {"messages": self.messages, "sent": self.sent, "succeeded": self.succeeded}


def process_outbox(now: datetime | None = None) -> OutboxRun:
    """Drain this tenant's outbox, then send what is due. Call it from a task, after commit."""
    if connection.in_atomic_block:
        raise RuntimeError("the outbox is processed after commit, never inside a transaction")
    messages = 0
    while True:  # drain fully: a burst of events must not wait for the next beat
        claimed, done = _drain_batch(OUTBOX_BATCH)
        messages += done
        if claimed < OUTBOX_BATCH:
            break
    sent = send_due_deliveries(now)
    return OutboxRun(messages, len(sent), sum(1 for d in sent if d.status == DeliveryStatus.SUCCEEDED))


def replay_delivery(delivery_id: int, *, actor: str = "system") -> WebhookDelivery:
    """Send a delivery again now (any status), with the stored body and a fresh signature; logged as a replay."""
    return send_delivery(delivery_id, replay=True, actor=actor)
