"""Reads of the events app: a document's events, webhook endpoints and their delivery log."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from core.events.models import DomainEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def events_of(subject_type: str, subject_id: int) -> QuerySet[DomainEvent]:
    return DomainEvent.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("occurred_at", "pk")


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("pk")


def webhook_deliveries(
    endpoint_id: int | None = None, status: str | None = None, *, with_attempts: bool = True
) -> QuerySet[WebhookDelivery]:
    """Newest first, with the endpoint, the event and (unless `with_attempts` is off: a list that does not show
    them) the attempt log loaded in a fixed number of queries."""
    deliveries = WebhookDelivery.objects.select_related("endpoint", "event")
    if with_attempts:
        deliveries = deliveries.prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("pk")))
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-pk")
