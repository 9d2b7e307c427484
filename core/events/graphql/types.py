"""GraphQL types of the events app: domain events, the order timeline, webhook endpoints and deliveries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.events.models import DomainEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.events.timeline import Timeline, TimelineStep, reason_label, state_label


def _seconds(value: timedelta | None) -> int | None:
    return int(value.total_seconds()) if value is not None else None


class DomainEventType(DjangoObjectType):
    payload = graphene.JSONString(required=True)
    blocking_reason_label = graphene.String(required=True)
    to_state_label = graphene.String(required=True)

    class Meta:
        model = DomainEvent
        name = "DomainEvent"
        fields = (
            "id",
            "event_type",
            "subject_type",
            "subject_id",
            "from_state",
            "to_state",
            "occurred_at",
            "actor",
            "payload",
            "blocking_reason",
        )
        use_connection = True

    @staticmethod
    def resolve_blocking_reason_label(root: DomainEvent, info: Any) -> str:
        return reason_label(root.blocking_reason)

    @staticmethod
    def resolve_to_state_label(root: DomainEvent, info: Any) -> str:
        return state_label(root.subject_type, root.to_state) if root.to_state else ""


class TimelineStepType(graphene.ObjectType):
    state = graphene.String(required=True)
    label = graphene.String(required=True, description="The state's name in the request's language.")
    entered_at = graphene.DateTime(required=True)
    left_at = graphene.DateTime(description="Null while the document is still in this state.")
    duration_seconds = graphene.Int(required=True, description="How long the step took (so far, for the current one).")
    actor = graphene.String(required=True)
    blocking_reason = graphene.String(required=True)
    blocking_reason_label = graphene.String(required=True)

    class Meta:
        name = "TimelineStep"

    @staticmethod
    def resolve_duration_seconds(root: TimelineStep, info: Any) -> int:
        return _seconds(root.duration) or 0


class OrderTimelineType(graphene.ObjectType):
    subject_type = graphene.String(required=True)
    subject_id = graphene.Int(required=True)
    current_state = graphene.String(required=True)
    current_state_label = graphene.String(required=True)
    started_at = graphene.DateTime()
    total_elapsed_seconds = graphene.Int(required=True)
    is_final = graphene.Boolean(required=True)
    steps = graphene.List(graphene.NonNull(TimelineStepType), required=True)
    blocking_reason = graphene.String(required=True, description="Why the document is stuck now; empty when it is not.")
    blocking_reason_label = graphene.String(required=True)
    blocked_since = graphene.DateTime()
    blocked_for_seconds = graphene.Int(description="How long it has been stuck for the current reason.")

    class Meta:
        name = "OrderTimeline"

    @staticmethod
    def resolve_current_state_label(root: Timeline, info: Any) -> str:
        return state_label(root.subject_type, root.current_state) if root.current_state else ""

    @staticmethod
    def resolve_total_elapsed_seconds(root: Timeline, info: Any) -> int:
        return _seconds(root.total_elapsed) or 0

    @staticmethod
    def resolve_blocked_for_seconds(root: Timeline, info: Any) -> int | None:
        return _seconds(root.blocked_for)


class WebhookEndpointType(DjangoObjectType):
    event_types = graphene.List(graphene.NonNull(graphene.String), required=True, description="Empty: every event.")
    secret_hint = graphene.String(required=True, description="The secret's last 4 characters; the secret is shown once.")

    class Meta:
        model = WebhookEndpoint
        name = "WebhookEndpoint"
        fields = ("id", "url", "event_types", "active", "description", "created_at", "updated_at")

    @staticmethod
    def resolve_secret_hint(root: WebhookEndpoint, info: Any) -> str:
        return "…" + root.secret[-4:]


class WebhookAttemptType(DjangoObjectType):
    class Meta:
        model = WebhookAttempt
        name = "WebhookAttempt"
        fields = ("id", "attempted_at", "status_code", "error", "response_ms", "succeeded", "replay", "actor")


class WebhookDeliveryType(DjangoObjectType):
    event_type = graphene.String(required=True)
    attempt_log = graphene.List(graphene.NonNull(WebhookAttemptType), required=True)

    class Meta:
        model = WebhookDelivery
        name = "WebhookDelivery"
        fields = (
            "id",
            "endpoint",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "response_ms",
            "request_body",
            "created_at",
        )
        use_connection = True

    @staticmethod
    def resolve_event_type(root: WebhookDelivery, info: Any) -> str:
        return root.event.event_type

    @staticmethod
    def resolve_attempt_log(root: WebhookDelivery, info: Any) -> list[WebhookAttempt]:
        return list(root.attempt_log.all())
