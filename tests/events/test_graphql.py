"""The events API: order timelines for viewers, webhook endpoints and the delivery log for admins only."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.events.models import WebhookEndpoint
from core.events.services import record_event


def _gql(client: Client, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post("/graphql/", body, content_type="application/json").json()


CREATE = """
mutation($url: String!, $types: [String!]) {
  createWebhookEndpoint(url: $url, eventTypes: $types, description: "ERP") {
    endpoint { id url eventTypes active secretHint }
    secret
    errors { field message code }
  }
}"""


def _clerk_client(tenant) -> Client:
    from tenants.accounts.services import create_user

    with schema_context(tenant.schema):
        create_user("clerk@alpha.example.com", "Another-horse-43!", "clerk")
    client = Client(HTTP_HOST=tenant.host)
    assert client.post("/login/", {"username": "clerk@alpha.example.com", "password": "Another-horse-43!"}).status_code == 302
    return client


def test_admin_creates_endpoint_and_sees_secret_once(alpha):
    # given
    client = alpha.client()
    # when
    created = _gql(client, CREATE, {"url": "https://erp.example.com/hooks", "types": ["purchase_order.*"]})
    listed = _gql(client, "{ webhookEndpoints { id url eventTypes secretHint } }")
    # then
    payload = created["data"]["createWebhookEndpoint"]
    assert payload["errors"] == []
    with schema_context(alpha.schema):
        endpoint = WebhookEndpoint.objects.get(pk=payload["endpoint"]["id"])
    assert payload["secret"] == endpoint.secret and payload["secret"].startswith("whsec_")
    assert payload["endpoint"]["eventTypes"] == ["purchase_order.*"]
    hint = "…" + endpoint.secret[-4:]
    assert listed["data"]["webhookEndpoints"] == [
        {"id": str(endpoint.pk), "url": "https://erp.example.com/hooks", "eventTypes": ["purchase_order.*"], "secretHint": hint}
    ]
    assert endpoint.secret not in json.dumps(listed)


def test_bad_url_or_event_type_is_a_typed_error(alpha):
    # given
    client = alpha.client()
    # when
    bad_url = _gql(client, CREATE, {"url": "ftp://erp.example.com"})["data"]["createWebhookEndpoint"]
    bad_type = _gql(client, CREATE, {"url": "https://erp.example.com", "types": ["Purchase Order"]})
    bad_type = bad_type["data"]["createWebhookEndpoint"]
    # then
    assert bad_url["errors"] == [{"field": "url", "message": "Enter an http:// or https:// URL.", "code": "INVALID_WEBHOOK_URL"}]
    assert bad_type["errors"][0]["code"] == "INVALID_EVENT_TYPE" and bad_type["errors"][0]["field"] == "eventTypes"


def test_rotating_the_secret_returns_the_new_one(alpha):
    # given
    client = alpha.client()
    created = _gql(client, CREATE, {"url": "https://erp.example.com/hooks"})["data"]["createWebhookEndpoint"]
    # when
    rotated = _gql(
        client,
        "mutation($id: ID!) { updateWebhookEndpoint(id: $id, rotateSecret: true, active: false) "
        "{ secret endpoint { active } errors { code } } }",
        {"id": created["endpoint"]["id"]},
    )["data"]["updateWebhookEndpoint"]
    # then
    assert rotated["errors"] == [] and rotated["endpoint"]["active"] is False
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]


def test_clerk_cannot_see_or_change_webhooks(alpha):
    # given
    client = _clerk_client(alpha)
    # when
    listed = _gql(client, "{ webhookEndpoints { id } }")
    created = _gql(client, CREATE, {"url": "https://evil.example.com"})
    # then
    assert listed["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert created["data"]["createWebhookEndpoint"]["errors"][0]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema):
        assert not WebhookEndpoint.objects.exists()


def test_clerk_reads_order_timeline_and_events(alpha):
    # given: an order submitted two hours ago, still waiting for approval
    start = timezone.now() - timedelta(hours=3)
    with schema_context(alpha.schema):
        record_event("service_order.created", "service_order", 5, to_state="draft", occurred_at=start, actor="clerk")
        record_event(
            "service_order.submitted",
            "service_order",
            5,
            from_state="draft",
            to_state="submitted",
            blocking_reason="awaiting_approval",
            occurred_at=start + timedelta(hours=1),
        )
    client = _clerk_client(alpha)
    query = """
    { orderTimeline(subjectType: "service_order", subjectId: 5) {
        currentState totalElapsedSeconds blockingReason blockingReasonLabel blockedForSeconds
        steps { state label durationSeconds actor }
      }
      events(subjectType: "service_order", subjectId: 5, first: 10) { edges { node { eventType toState } } }
    }"""
    # when
    data = _gql(client, query)["data"]
    # then
    timeline = data["orderTimeline"]
    assert timeline["currentState"] == "submitted"
    first = timeline["steps"][0]
    assert (first["state"], first["label"], first["durationSeconds"], first["actor"]) == ("draft", "草稿", 3600, "clerk")
    assert timeline["blockingReason"] == "awaiting_approval" and timeline["blockingReasonLabel"] == "待审批"
    assert 7190 <= timeline["blockedForSeconds"] <= 7300
    assert 10790 <= timeline["totalElapsedSeconds"] <= 10900
    assert [e["node"]["eventType"] for e in data["events"]["edges"]] == ["service_order.created", "service_order.submitted"]


def test_replaying_unknown_delivery_is_not_found(alpha):
    result = _gql(alpha.client(), 'mutation { replayWebhookDelivery(id: "424242") { errors { field code } } }')
    assert result["data"]["replayWebhookDelivery"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


def _deliveries(count: int) -> None:
    from core.events.models import WebhookAttempt, WebhookDelivery

    endpoint = WebhookEndpoint.objects.create(url="https://erp.example.com/hooks")
    for n in range(count):
        event = record_event("purchase_order.sent", "purchase_order", n, to_state="sent")
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, request_body="{}", status="failed", attempts=2)
        WebhookAttempt.objects.bulk_create([WebhookAttempt(delivery=delivery, status_code=500, error="HTTP 500")] * 2)


def test_delivery_log_query_count_does_not_grow_with_page_size(alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given
    client = alpha.client()
    query = (
        "{ webhookDeliveries(first: 20) { edges { node { id status eventType endpoint { url } attemptLog { statusCode } } } } }"
    )
    with schema_context(alpha.schema):
        _deliveries(1)
    _gql(client, query)  # warms the per-tenant caches (entitlements), which are not what is measured
    with CaptureQueriesContext(connection) as one:
        small = _gql(client, query)
    with schema_context(alpha.schema):
        _deliveries(6)
    # when
    with CaptureQueriesContext(connection) as seven:
        large = _gql(client, query)
    # then
    assert len(small["data"]["webhookDeliveries"]["edges"]) == 1
    assert len(large["data"]["webhookDeliveries"]["edges"]) == 7
    assert large["data"]["webhookDeliveries"]["edges"][0]["node"]["attemptLog"] == [{"statusCode": 500}] * 2
    assert len(seven.captured_queries) == len(one.captured_queries)
