"""Signed outbound webhooks: sent after commit, verifiable, retried with backoff, dead after the last try, replayable."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.events import webhooks
from core.events.models import DeliveryStatus, OutboxMessage, WebhookDelivery
from core.events.services import create_webhook_endpoint, record_event, update_webhook_endpoint
from core.events.webhooks import MAX_ATTEMPTS, replay_delivery, send_due_deliveries, verify_signature


def _submit(order_id: int = 7, event_type: str = "purchase_order.submitted"):
    return record_event(
        event_type,
        event_type.split(".")[0],
        order_id,
        actor="buyer@example.com",
        from_state="draft",
        to_state="submitted",
        blocking_reason="awaiting_approval",
        payload={"total": "1200.50", "supplier": "华东食品"},
    )


def test_event_is_sent_after_commit_and_receiver_verifies_signature(in_committed, receiver):
    # given
    endpoint = create_webhook_endpoint(receiver.url, description="ERP bridge")
    # when
    with transaction.atomic():
        event = _submit()
        sent_inside_transaction = len(receiver.requests)
    # then: nothing left before commit; one signed request after
    assert sent_inside_transaction == 0
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.headers["X-JXC-Event"] == "purchase_order.submitted"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event=event)
    assert request.headers["X-JXC-Delivery"] == str(delivery.pk)
    assert verify_signature(endpoint.secret, request.headers["X-JXC-Signature"], request.body)
    document = json.loads(request.body)
    assert document["type"] == "purchase_order.submitted"
    assert document["tenant"] == in_committed.slug
    assert document["data"]["subject_id"] == 7
    assert document["data"]["blocking_reason"] == "awaiting_approval"
    assert document["data"]["payload"] == {"total": "1200.50", "supplier": "华东食品"}
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.last_status_code == 200
    assert OutboxMessage.objects.get(event=event).processed_at is not None


def test_forged_body_wrong_secret_or_stale_timestamp_fail_verification(in_committed, receiver):
    # given
    endpoint = create_webhook_endpoint(receiver.url)
    _submit()
    request = receiver.requests[0]
    header = request.headers["X-JXC-Signature"]
    forged = request.body.replace(b"1200.50", b"9200.50")
    # when / then
    assert verify_signature(endpoint.secret, header, request.body)
    assert not verify_signature(endpoint.secret, header, forged)
    assert not verify_signature("whsec_guess", header, request.body)
    assert not verify_signature(endpoint.secret, header, request.body, now=time.time() + 3600)
    assert not verify_signature(endpoint.secret, "v1=deadbeef", request.body)


def test_failing_receiver_is_retried_with_growing_backoff_then_succeeds(in_committed, receiver):
    # given: the receiver answers 500 twice, then 200
    receiver.statuses = [500, 500]
    create_webhook_endpoint(receiver.url)
    # when: the first try runs after commit and fails
    _submit()
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - delivery.attempt_log.get().attempted_at
    # then: failed, retried in about 30 s, and not before
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == ("failed", 1, 500, "HTTP 500")
    assert timedelta(seconds=24) <= first_wait <= timedelta(seconds=36)
    assert send_due_deliveries(now=timezone.now()) == []
    # when: the retry is due and fails again
    send_due_deliveries(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - delivery.attempt_log.last().attempted_at
    # then: the wait grows (about 2 min)
    assert delivery.attempts == 2 and second_wait > first_wait
    assert timedelta(seconds=96) <= second_wait <= timedelta(seconds=144)
    # when: the third try meets a healthy receiver
    send_due_deliveries(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    # then
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3 and delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 200]
    assert len({r.headers["X-JXC-Delivery"] for r in receiver.requests}) == 1  # one id to deduplicate on


def test_endpoint_that_always_fails_ends_dead_then_replay_resends_same_body(in_committed, receiver):
    # given
    receiver.statuses = [503] * MAX_ATTEMPTS
    endpoint = create_webhook_endpoint(receiver.url)
    _submit()
    delivery = WebhookDelivery.objects.get()
    # when: every retry comes due and fails
    for _ in range(MAX_ATTEMPTS - 1):
        send_due_deliveries(now=timezone.now() + timedelta(days=1))
    delivery.refresh_from_db()
    # then: dead after the last try, and no longer retried
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", MAX_ATTEMPTS, None)
    assert send_due_deliveries(now=timezone.now() + timedelta(days=30)) == []
    # when: the integrator fixed the receiver and the admin replays
    replayed = replay_delivery(delivery.pk, actor="admin@example.com")
    # then: same bytes, valid signature, logged as a replay
    assert replayed.status == DeliveryStatus.SUCCEEDED
    assert receiver.requests[-1].body == receiver.requests[0].body
    assert verify_signature(endpoint.secret, receiver.requests[-1].headers["X-JXC-Signature"], receiver.requests[-1].body)
    last = replayed.attempt_log.last()
    assert last.replay and last.succeeded and last.actor == "admin@example.com"
    assert replayed.attempt_log.count() == MAX_ATTEMPTS + 1


def test_unreachable_endpoint_fails_with_short_error(in_committed, receiver):
    # given: a port nobody listens on
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    create_webhook_endpoint(f"http://127.0.0.1:{closed_port}/hook?token=secret-token")
    # when
    _submit()
    # then
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "connection failed"
    assert delivery.last_status_code is None


def test_endpoint_receives_only_subscribed_events_and_inactive_receives_none(in_committed, receiver):
    # given
    create_webhook_endpoint(receiver.url, event_types=["purchase_order.*"])
    paused = create_webhook_endpoint(receiver.url + "/paused")
    update_webhook_endpoint(paused.pk, active=False)
    # when
    _submit(1, "purchase_order.submitted")
    _submit(2, "sales_order.submitted")
    # then
    assert [r.headers["X-JXC-Event"] for r in receiver.requests] == ["purchase_order.submitted"]
    assert not WebhookDelivery.objects.filter(endpoint=paused).exists()


def test_endpoint_of_one_tenant_never_receives_another_tenants_events(in_committed, other_tenant, receiver):
    # given: both tenants have an endpoint on the same receiver
    create_webhook_endpoint(receiver.url + "/a")
    with schema_context(other_tenant.schema_name):
        create_webhook_endpoint(receiver.url + "/b")
        # when: only the other tenant records an event, and both tenants drain their outbox
        _submit(99)
    webhooks.process_outbox()
    with schema_context(other_tenant.schema_name):
        webhooks.process_outbox()
    # then
    assert [json.loads(r.body)["tenant"] for r in receiver.requests] == [other_tenant.slug]
    assert not WebhookDelivery.objects.exists()
    assert connection.schema_name == in_committed.schema_name


def test_draining_twice_never_delivers_an_event_twice(in_committed, receiver):
    # given: a drain that crashed after sending, before marking its message processed
    create_webhook_endpoint(receiver.url)
    event = _submit()
    OutboxMessage.objects.filter(event=event).update(processed_at=None)
    # when
    webhooks.process_outbox()
    # then
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_failing_event_consumer_keeps_message_in_outbox_for_next_drain(in_committed):
    # given
    def rules_engine(event):
        raise RuntimeError("rules engine down")

    webhooks.register_event_consumer(rules_engine)
    try:
        event = _submit()
        message = OutboxMessage.objects.get(event=event)
        assert message.processed_at is None and message.attempts == 1 and message.last_error == "RuntimeError"
    finally:
        webhooks.unregister_event_consumer(rules_engine)
    # when
    webhooks.process_outbox()
    # then
    message.refresh_from_db()
    assert message.processed_at is not None and message.attempts == 2


def test_private_network_urls_are_refused_when_the_guard_is_on(in_committed, receiver, settings):
    import pytest

    from core.events.exceptions import WebhookConfigurationError

    # given: an endpoint registered while private addresses were allowed (as in local development)
    endpoint = create_webhook_endpoint(receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    # when / then: no new endpoint may point at loopback, private ranges or cloud metadata
    for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.0.0.8/x", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(WebhookConfigurationError):
            create_webhook_endpoint(url)
    # when: an event is recorded for the existing endpoint
    _submit()
    # then: nothing is sent there
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_error) == ("failed", "address not allowed")
    assert receiver.requests == []
