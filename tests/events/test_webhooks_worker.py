"""End to end through a real Celery worker: a committed event leaves through the outbox as a signed webhook."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from core.events.models import DeliveryStatus, OutboxMessage, WebhookDelivery
from core.events.services import create_webhook_endpoint, record_event
from core.events.webhooks import verify_signature


@pytest.mark.worker
def test_worker_drains_outbox_and_delivers_signed_webhook(celery_worker, committed_tenant, receiver):
    # given
    with schema_context(committed_tenant.schema):
        endpoint = create_webhook_endpoint(receiver.url)
        # when: the app records an event; the commit enqueues the drain for the worker
        with transaction.atomic():
            event = record_event("purchase_order.approved", "purchase_order", 12, actor="manager", to_state="approved")
        # then
        request = celery_worker.wait_for(lambda: receiver.requests and receiver.requests[0], timeout=60)
        assert request.headers["X-JXC-Event"] == "purchase_order.approved"
        assert verify_signature(endpoint.secret, request.headers["X-JXC-Signature"], request.body)
        delivery = celery_worker.wait_for(
            lambda: WebhookDelivery.objects.filter(event=event, status=DeliveryStatus.SUCCEEDED).first(), timeout=30
        )
        assert delivery.attempt_log.count() == 1
        assert OutboxMessage.objects.get(event=event).processed_at is not None
