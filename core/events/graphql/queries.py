"""Queries: a document's timeline and events (viewers), webhook endpoints and deliveries (admins)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene_django.fields import DjangoConnectionField

from core.events import selectors
from core.events.graphql.types import DomainEventType, OrderTimelineType, WebhookDeliveryType, WebhookEndpointType
from core.events.models import DomainEvent, WebhookDelivery, WebhookEndpoint
from core.events.timeline import Timeline, order_timeline
from tenants.accounts.roles import Permission


class EventsQueries(graphene.ObjectType):
    order_timeline = graphene.Field(
        graphene.NonNull(OrderTimelineType),
        subject_type=graphene.String(required=True, description='e.g. "purchase_order"'),
        subject_id=graphene.Int(required=True),
        description="The document's steps with their durations, and why it is stuck now (事件溯源视图).",
    )
    events = DjangoConnectionField(
        DomainEventType,
        subject_type=graphene.String(required=True),
        subject_id=graphene.Int(required=True),
        description="A document's domain events, oldest first.",
    )

    @staticmethod
    def resolve_order_timeline(root: Any, info: Any, subject_type: str, subject_id: int) -> Timeline:
        return order_timeline(subject_type, subject_id)

    @staticmethod
    def resolve_events(root: Any, info: Any, subject_type: str, subject_id: int, **kwargs: Any) -> QuerySet[DomainEvent]:
        return selectors.events_of(subject_type, subject_id)


class WebhookQueries(graphene.ObjectType):
    """Admins only: endpoints and the delivery log are an integration's configuration and traffic."""

    required_permission = Permission.ADMINISTER

    webhook_endpoints = graphene.List(graphene.NonNull(WebhookEndpointType), required=True)
    webhook_deliveries = DjangoConnectionField(
        WebhookDeliveryType,
        endpoint_id=graphene.ID(),
        status=graphene.String(description="pending, failed, succeeded or dead"),
        description="The delivery log, newest first.",
    )

    @staticmethod
    def resolve_webhook_endpoints(root: Any, info: Any) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoints()

    @staticmethod
    def resolve_webhook_deliveries(
        root: Any, info: Any, endpoint_id: str | None = None, status: str | None = None, **kwargs: Any
    ) -> QuerySet[WebhookDelivery]:
        try:
            endpoint = int(endpoint_id) if endpoint_id is not None else None
        except ValueError:
            return WebhookDelivery.objects.none()
        return selectors.webhook_deliveries(endpoint, status)
