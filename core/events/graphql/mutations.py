"""Webhook endpoint mutations (admins): create (the secret is shown once), update, delete, replay a delivery."""

from __future__ import annotations

from typing import Any

import graphene

from core.access import actor_from_request
from core.events import services
from core.events.exceptions import EventsErrorCode
from core.events.graphql.types import WebhookDeliveryType, WebhookEndpointType
from core.events.models import WebhookDelivery
from core.events.tasks import replay_webhook_delivery
from core.graphql.base import BaseMutation
from core.graphql.errors import DomainError
from core.tasks import enqueue_on_commit
from tenants.accounts.roles import Permission


def _pk(value: str, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("Not a valid id.", field=field, code=EventsErrorCode.NOT_FOUND) from None


class CreateWebhookEndpoint(BaseMutation):
    endpoint = graphene.Field(WebhookEndpointType)
    secret = graphene.String(description="The signing secret. Store it now: it is never shown again.")

    class Arguments:
        url = graphene.String(required=True)
        event_types = graphene.List(graphene.NonNull(graphene.String), description="Empty or omitted: every event.")
        description = graphene.String()
        active = graphene.Boolean()

    class Meta:
        permissions = (Permission.ADMINISTER,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateWebhookEndpoint:
        endpoint = services.create_webhook_endpoint(
            data["url"],
            event_types=data.get("event_types") or [],
            description=data.get("description") or "",
            active=data.get("active", True) is not False,
        )
        return cls(endpoint=endpoint, secret=endpoint.secret, errors=[])


class UpdateWebhookEndpoint(BaseMutation):
    endpoint = graphene.Field(WebhookEndpointType)
    secret = graphene.String(description="Set only when rotateSecret was true: the new secret, shown once.")

    class Arguments:
        id = graphene.ID(required=True)
        url = graphene.String()
        event_types = graphene.List(graphene.NonNull(graphene.String))
        description = graphene.String()
        active = graphene.Boolean()
        rotate_secret = graphene.Boolean(default_value=False)

    class Meta:
        permissions = (Permission.ADMINISTER,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> UpdateWebhookEndpoint:
        rotate = bool(data.get("rotate_secret"))
        endpoint = services.update_webhook_endpoint(
            _pk(data["id"], "id"),
            url=data.get("url"),
            event_types=data.get("event_types"),
            description=data.get("description"),
            active=data.get("active"),
            rotate_secret=rotate,
        )
        return cls(endpoint=endpoint, secret=endpoint.secret if rotate else None, errors=[])


class DeleteWebhookEndpoint(BaseMutation):
    deleted_id = graphene.ID()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.ADMINISTER,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DeleteWebhookEndpoint:
        services.delete_webhook_endpoint(_pk(data["id"], "id"))
        return cls(deleted_id=data["id"], errors=[])


class ReplayWebhookDelivery(BaseMutation):
    delivery = graphene.Field(WebhookDeliveryType, description="As it stands now; the replay is sent in the background.")

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.ADMINISTER,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ReplayWebhookDelivery:
        delivery = WebhookDelivery.objects.filter(pk=_pk(data["id"], "id")).first()
        if delivery is None:
            raise DomainError("No such webhook delivery.", field="id", code=EventsErrorCode.NOT_FOUND)
        # HTTP never runs in the request's transaction: the task sends it after commit
        enqueue_on_commit(replay_webhook_delivery, delivery.pk, actor_from_request(info.context).label())
        return cls(delivery=delivery, errors=[])


class EventsMutations(graphene.ObjectType):
    create_webhook_endpoint = CreateWebhookEndpoint.Field()
    update_webhook_endpoint = UpdateWebhookEndpoint.Field()
    delete_webhook_endpoint = DeleteWebhookEndpoint.Field()
    replay_webhook_delivery = ReplayWebhookDelivery.Field()
