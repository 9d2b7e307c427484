"""The rules engine's call_webhook action: a signed call to the one registered endpoint a rule names, once per event."""

from __future__ import annotations

import json
from decimal import Decimal

from core.events.models import DomainEvent, WebhookDelivery
from core.events.services import create_webhook_endpoint
from core.events.webhooks import verify_signature
from core.rules import services
from core.rules.evaluator import evaluate
from core.rules.models import Rule, RuleActionLog

RAINY = {"field": "signal.precipitation_probability", "op": "gte", "value": 60}
CONTEXT = {"signal": {"precipitation_probability": Decimal("75")}}
STORE = {"type": "store", "id": "12"}


def _rule(url: str) -> Rule:
    return services.create_rule(
        name=f"rain hook {url[-6:]}",
        trigger="signal.weather_updated",
        condition=RAINY,
        actions=[{"type": "call_webhook", "url": url}],
    )


def test_a_rule_calls_only_the_endpoint_it_names_signed_and_once_when_the_event_comes_twice(in_committed, receiver):
    # given: the endpoint the rule names, and a catch-all endpoint that must not see the rule's call
    target = create_webhook_endpoint(f"{receiver.url}/rain", description="rain alerts")
    other = create_webhook_endpoint(f"{receiver.url}/everything")
    rule = _rule(target.url)
    try:
        # when: the same weather event is evaluated twice (at-least-once delivery)
        first = evaluate("signal.weather_updated", CONTEXT, STORE, "evt-rain-1")
        again = evaluate("signal.weather_updated", CONTEXT, STORE, "evt-rain-1")

        # then: one signed request, to the named endpoint only
        assert first.actions[0].status == "done"
        assert again.actions == [] or again.actions[0].status != "done"
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert verify_signature(target.secret, request.headers["X-JXC-Signature"], request.body)
        document = json.loads(request.body)
        assert document["type"] == "rule.webhook" and request.headers["X-JXC-Event"] == "rule.webhook"
        assert document["data"]["payload"]["rule"] == rule.name
        assert document["data"]["payload"]["trigger_event_id"] == "evt-rain-1"
        assert document["data"]["subject_type"] == "store" and document["data"]["subject_id"] == 12
        assert not WebhookDelivery.objects.filter(endpoint=other).exists()
        # and the call is on the subject's timeline
        assert DomainEvent.objects.filter(event_type="rule.webhook", subject_type="store", subject_id=12).count() == 1
    finally:
        Rule.objects.filter(pk=rule.pk).delete()


def test_an_address_nobody_registered_is_a_logged_failure_and_nothing_is_sent(in_committed, receiver):
    # given: a rule naming an address that is not a registered, active endpoint
    disabled = create_webhook_endpoint(f"{receiver.url}/off")
    disabled.active = False
    disabled.save(update_fields=["active"])
    rule = _rule(disabled.url)
    try:
        # when
        result = evaluate("signal.weather_updated", CONTEXT, STORE, "evt-rain-2")

        # then
        assert result.actions[0].status == "failed"
        assert "no active webhook endpoint" in RuleActionLog.objects.get(event_id="evt-rain-2").detail
        assert receiver.requests == []
        assert not DomainEvent.objects.filter(event_type="rule.webhook").exists()
    finally:
        Rule.objects.filter(pk=rule.pk).delete()
