"""The call_webhook action: a signed POST to one of the tenant's registered webhook endpoints.

A rule may only call an address an admin registered on the Webhooks page. That is where the signing
secret lives, and it keeps a rule from sending the tenant's data to an address nobody approved. The call
is a `rule.webhook` event on the subject's timeline, delivered to that one endpoint through the ordinary
webhook machinery: stored body, HMAC signature, retries with back-off, replay from the Webhooks page.
"""

from __future__ import annotations

from django.utils import timezone

from core.events.models import WebhookDelivery, WebhookEndpoint
from core.events.services import record_event
from core.events.webhooks import event_body, tenant_slug
from core.rules.actions import Action, ActionContext, ActionFailed, register_action_handler

RULE_WEBHOOK_EVENT = "rule.webhook"


def call_webhook(action: Action, ctx: ActionContext) -> str:
    url = action["url"]
    endpoint = WebhookEndpoint.objects.filter(url=url, active=True).order_by("pk").first()
    if endpoint is None:
        raise ActionFailed(f"no active webhook endpoint is registered for {url}; add it on the Webhooks page first")
    subject_pk = int(ctx.subject_id) if str(ctx.subject_id).isdigit() else 0
    event = record_event(
        RULE_WEBHOOK_EVENT,
        ctx.subject_type,
        subject_pk,
        actor=f"rule:{ctx.rule_name}"[:200],
        payload={
            "rule": ctx.rule_name,
            "rule_id": ctx.rule_id,
            "rule_version_id": ctx.version_id,
            "trigger": ctx.event_type,
            "trigger_event_id": ctx.event_id,
            "subject_id": str(ctx.subject_id),
        },
    )
    # The action itself runs once per (rule version, subject, event); the unique (endpoint, event) backs it up.
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, request_body=event_body(event, tenant_slug()), next_attempt_at=timezone.now()
    )
    return f"webhook to {endpoint.url} queued (event {event.pk})"


def register_webhook_handler() -> None:
    register_action_handler("call_webhook", call_webhook)
