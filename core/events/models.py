"""Domain events, the transactional outbox, and outbound webhook endpoints with their delivery log."""

from __future__ import annotations

import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DomainEvent(models.Model):
    """One fact about a document, appended and never changed: the source of the order timeline (事件溯源)."""

    event_type = models.CharField(max_length=100, db_index=True)  # "<subject_type>.<what happened>"
    subject_type = models.CharField(max_length=50)
    subject_id = models.BigIntegerField()
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=200, default="system")  # a label: user email, api_key:<prefix>, system
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Why the document is stuck from this event on ("awaiting_stock"); blank when it is not stuck.
    blocking_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("occurred_at", "pk")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "occurred_at"], name="events_subject_time_idx"),
            models.Index(fields=["occurred_at"], name="events_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.subject_id}"


class OutboxMessage(models.Model):
    """Written in the same transaction as its event; a task drains it after commit (transactional outbox)."""

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="outbox_messages")
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("pk",)
        indexes = [
            # the drain only ever scans the unprocessed tail
            models.Index(fields=["id"], name="outbox_pending_idx", condition=Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk} ({'done' if self.processed_at else 'pending'})"


def generate_webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


# Events of these types go only to the endpoint that asked for them (core.rules call_webhook).
TARGETED_EVENT_PREFIX = "rule."


class WebhookEndpoint(models.Model):
    """An integrator's URL that receives signed events (X-JXC-Signature)."""

    url = models.URLField(max_length=500)
    # Kept in clear: HMAC signing needs it. Shown to the admin on creation and on rotation.
    secret = models.CharField(max_length=80, default=generate_webhook_secret)
    event_types = models.JSONField(default=list, blank=True)  # e.g. ["purchase_order.*", "sales_order.shipped"]; [] = all
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        """Whether this endpoint subscribes to `event_type` (exact names or a "<subject>.*" prefix)."""
        if event_type.startswith(TARGETED_EVENT_PREFIX):
            return False  # a rule's call_webhook names its one endpoint; never broadcast to the others
        if not self.event_types:
            return True
        for pattern in self.event_types:
            if pattern == event_type or pattern == "*":
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"  # not tried yet
    FAILED = "failed", "failed"  # the last try failed; next_attempt_at says when the next one runs
    SUCCEEDED = "succeeded", "succeeded"
    DEAD = "dead", "dead"  # every automatic try failed; only a replay sends it again


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body (kept for replay), its status and its retry schedule."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)  # short and secret-free: "HTTP 500", "timeout"
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    request_body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-pk",)
        constraints = [
            # the outbox may be drained twice (at-least-once); an event reaches an endpoint once
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=Q(status__in=["pending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The delivery log: one row per HTTP attempt, automatic or replayed."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    replay = models.BooleanField(default=False)
    actor = models.CharField(max_length=200, default="system")

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"attempt {self.pk} of delivery {self.delivery_id}"
