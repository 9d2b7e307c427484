"""Stripe webhooks over HTTP against the running app: signatures, replays, order, failures, and what the
entitlements then allow. Tenants are committed (the app serves requests from its own threads)."""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.entitlements import can_write_module, has_module
from billing.models import BillingAccount, EntitlementChange, EntitlementStatus, StripeEvent
from billing.stripe_billing import desired_entitlements
from billing.subscriptions import billing_overview, change_modules
from core.inventory.factories import make_item
from tests.billing.conftest import sign, subscription_event, wait_for

CREATE_ITEM = 'mutation { createItem(input: {sku: "%s", nameZh: "新品"}) { item { sku } errors { code } } }'
LIST_ITEMS = "query { items(first: 50) { edges { node { sku } } } }"


def _graphql(client, query):
    response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _event_id(payload: bytes) -> str:
    return json.loads(payload)["id"]


def _expected_from_stripe(billed) -> dict[str, str]:
    """What Stripe's subscription, read now, says every module should be (modules never on have no row)."""
    account = BillingAccount.objects.get(pk=billed.account.pk)
    subscription = billed.localstripe.get(f"/v1/subscriptions/{account.stripe_subscription_id}")
    wanted = desired_entitlements(subscription, account.past_due_since)
    return {code: want.status for code, want in wanted.items() if code in billed.statuses()}


# --- signatures ---------------------------------------------------------------------------------------


def test_a_bad_signature_is_refused_and_changes_nothing(billed, app_server):
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    before = billed.statuses()
    response = app_server.deliver(payload, sign(payload, secret="whsec_someone_else"))
    tampered = app_server.deliver(payload.replace(b"canceled", b"active__"), sign(payload))
    unsigned = app_server.deliver(payload, "")
    assert [response.status_code, tampered.status_code, unsigned.status_code] == [400, 400, 400]
    assert not StripeEvent.objects.filter(event_id=_event_id(payload)).exists()
    assert billed.statuses() == before


def test_a_stale_signature_is_refused_and_changes_nothing(billed, app_server):
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    before = billed.statuses()
    stale = app_server.deliver(payload, sign(payload, timestamp=int(time.time()) - 301))
    assert stale.status_code == 400
    assert not StripeEvent.objects.filter(event_id=_event_id(payload)).exists()
    assert billed.statuses() == before
    fresh = app_server.deliver(payload, sign(payload, timestamp=int(time.time()) - 200))  # within 300 s
    assert fresh.status_code == 200 and billed.statuses()["core"] == EntitlementStatus.READ_ONLY


# --- replays ----------------------------------------------------------------------------------------


def _replay_proves_one_effect(billed, outcomes: list[str], payload: bytes) -> None:
    event_id = _event_id(payload)
    assert sorted(outcomes) == ["duplicate"] * 9 + ["processed"]
    row = StripeEvent.objects.get(event_id=event_id)
    assert row.attempts == 1 and row.processed_at is not None
    changes = EntitlementChange.objects.filter(tenant=billed.tenant, source=f"webhook:{event_id}")
    assert sorted(changes.values_list("module_code", flat=True)) == ["core", "food", "retail"]
    # Stripe moved on (re-activated) without telling us: had any replay been processed again, it would
    # have read that state. The entitlements still show what the one processing saw.
    assert set(billed.statuses().values()) - {EntitlementStatus.DISABLED} == {EntitlementStatus.READ_ONLY}


def test_ten_sequential_replays_have_one_effect(billed, app_server):
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    first = app_server.deliver(payload, sign(payload)).json()["outcome"]
    billed.localstripe.set_status(billed.subscription_id, "active")
    rest = [app_server.deliver(payload, sign(payload)).json()["outcome"] for _ in range(9)]
    _replay_proves_one_effect(billed, [first, *rest], payload)


def test_ten_concurrent_replays_have_one_effect(billed, app_server):
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    start = threading.Barrier(10)

    def deliver() -> str:
        start.wait()  # all ten requests leave together
        response = app_server.deliver(payload, sign(payload))
        assert response.status_code == 200, response.text
        return response.json()["outcome"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda _: deliver(), range(10)))
    billed.localstripe.set_status(billed.subscription_id, "active")
    for _ in range(3):
        assert app_server.deliver(payload, sign(payload)).json()["outcome"] == "duplicate"
    _replay_proves_one_effect(billed, outcomes, payload)


# --- order -------------------------------------------------------------------------------------------


def test_events_in_any_order_end_in_stripes_state(billed, app_server):
    # given a history of changes in Stripe, each captured as the event Stripe would send
    ls, sub_id = billed.localstripe, billed.subscription_id
    history = []
    for status in ("active", "past_due"):
        ls.set_status(sub_id, status)
        history.append(json.loads(subscription_event(ls, sub_id)))
    change_modules(billed.tenant, disable=["retail"])  # an item removed (trial/past-due allow changes)
    history.append(json.loads(subscription_event(ls, sub_id)))
    ls.set_status(sub_id, "active")
    history.append(json.loads(subscription_event(ls, sub_id)))
    ls.set_status(sub_id, "unpaid")
    history.append(json.loads(subscription_event(ls, sub_id)))
    # when each of several shuffles is delivered (new event ids per shuffle: they are new deliveries)
    rng = random.Random(20261125)
    for round_no in range(4):
        order = rng.sample(history, len(history))
        if round_no == 0:
            order.sort(key=lambda event: event["data"]["object"]["status"] != "unpaid")  # the newest one first
        for n, event in enumerate(order):
            event = {**event, "id": f"{event['id']}_{round_no}_{n}"}
            payload = json.dumps(event).encode()
            assert app_server.deliver(payload, sign(payload)).status_code == 200
        # then the entitlements are what Stripe's subscription says now, whatever arrived last
        assert order[-1]["data"]["object"]["status"] != "unpaid" or round_no != 0
        assert billed.statuses() == _expected_from_stripe(billed)
    assert billed.statuses()["core"] == EntitlementStatus.READ_ONLY
    assert billed.statuses()["retail"] == EntitlementStatus.DISABLED


# --- failures ------------------------------------------------------------------------------------------


def test_a_failing_handler_answers_500_and_the_retry_processes_it(billed, app_server):
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    before = billed.statuses()
    billed.localstripe.outage(True)  # the handler cannot read the subscription back
    try:
        failed = app_server.deliver(payload, sign(payload))
    finally:
        billed.localstripe.outage(False)
    row = StripeEvent.objects.get(event_id=_event_id(payload))
    assert failed.status_code == 500
    assert row.processed_at is None and row.attempts == 1 and "APIError" in row.last_error
    assert billed.statuses() == before
    retried = app_server.deliver(payload, sign(payload))  # Stripe retries the same event
    row.refresh_from_db()
    assert retried.status_code == 200 and retried.json()["outcome"] == "processed"
    assert row.processed_at is not None and row.attempts == 2 and row.last_error == ""
    assert billed.statuses()["core"] == EntitlementStatus.READ_ONLY


def test_events_for_unknown_customers_are_acknowledged_and_ignored(billed, app_server):
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    event = json.loads(payload)
    event["data"]["object"]["customer"] = "cus_not_ours"
    payload = json.dumps(event).encode()
    response = app_server.deliver(payload, sign(payload))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


# --- what the statuses allow --------------------------------------------------------------------------


def test_canceled_leaves_every_module_readable_but_not_writable(billed, app_server):
    # given an item in the tenant's data
    with schema_context(billed.info.schema):
        make_item("KEEP-ME", name_zh="保留的商品")
    client = billed.info.client()
    # when Stripe cancels the subscription and says so
    billed.localstripe.set_status(billed.subscription_id, "canceled")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    assert app_server.deliver(payload, sign(payload)).status_code == 200
    # then every module, core included, is read-only
    statuses = billed.statuses()
    assert {statuses[code] for code in ("core", "food", "retail")} == {EntitlementStatus.READ_ONLY}
    assert has_module(billed.tenant, "core") and not can_write_module(billed.tenant, "core")
    # a core mutation answers the typed read-only error; queries and pages still read the data
    created = _graphql(client, CREATE_ITEM % "NEW-1")["createItem"]
    assert created == {"item": None, "errors": [{"code": "MODULE_READ_ONLY"}]}
    skus = [edge["node"]["sku"] for edge in _graphql(client, LIST_ITEMS)["items"]["edges"]]
    assert "KEEP-ME" in skus and "NEW-1" not in skus
    assert client.post("/items/new/", {"sku": "NEW-2", "name_zh": "x"}).status_code == 403
    page = client.get("/items/")
    assert page.status_code == 200 and "KEEP-ME" in page.content.decode()
    assert billing_overview(billed.tenant).banner  # and the billing page says why
    assert page.context["billing_banner"] == billing_overview(billed.tenant).banner


def test_past_due_is_writable_with_a_banner_until_the_grace_period_ends(billed, app_server, settings):
    client = billed.info.client()
    # when a renewal fails
    billed.localstripe.set_status(billed.subscription_id, "past_due")
    payload = subscription_event(billed.localstripe, billed.subscription_id)
    assert app_server.deliver(payload, sign(payload)).status_code == 200
    # then: still writable, with a banner, until the grace period ends
    account = BillingAccount.objects.get(pk=billed.account.pk)
    assert billed.statuses()["core"] == EntitlementStatus.PAST_DUE
    grace_until = account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)
    assert abs((grace_until - timezone.now()).total_seconds() - settings.BILLING_GRACE_DAYS * 86400) < 120
    assert _graphql(client, CREATE_ITEM % "IN-GRACE")["createItem"]["errors"] == []
    in_grace = billing_overview(billed.tenant)
    assert client.get("/items/").context["billing_banner"] == in_grace.banner  # on every page
    assert in_grace.banner and grace_until.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in in_grace.banner
    # when the grace period has passed (the failure was first seen BILLING_GRACE_DAYS + 1 days ago)
    BillingAccount.objects.filter(pk=account.pk).update(
        past_due_since=timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS + 1)
    )
    call_command("reconcile_billing")
    # then read-only, with the read-only banner
    assert not can_write_module(billed.tenant, "core") and has_module(billed.tenant, "core")
    assert _graphql(client, CREATE_ITEM % "LATE")["createItem"]["errors"] == [{"code": "MODULE_READ_ONLY"}]
    assert billing_overview(billed.tenant).banner != in_grace.banner


def test_localstripe_delivers_its_own_signed_events(billed, app_server):
    """localstripe signs and sends customer.subscription.deleted itself (~1 s later), as Stripe would."""
    billed.localstripe.send_webhooks_to(app_server.webhook_url)
    try:
        billed.localstripe.client().v1.subscriptions.cancel(billed.subscription_id)
        # Other events of this subscription (created, updated) may arrive too; the deletion is the one we await.
        wait_for(
            lambda: StripeEvent.objects.filter(
                type="customer.subscription.deleted", object_id=billed.subscription_id, processed_at__isnull=False
            ).exists(),
            message=f"no webhook arrived; localstripe log:\n{billed.localstripe.log_tail()}",
        )
    finally:
        billed.localstripe.send_webhooks_to(None)
    assert billed.statuses()["core"] == EntitlementStatus.READ_ONLY


def test_a_completed_checkout_makes_its_card_the_default(billed, app_server):
    # given the Checkout session begin_billing opened (setup mode), completed by the customer
    customer_id = billed.account.stripe_customer_id
    session_id = billed.checkout_url.rsplit("/", 1)[1]
    session = billed.localstripe.complete_checkout(session_id)
    event = {
        "id": f"evt_checkout_{session_id}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {"object": session},
    }
    payload = json.dumps(event).encode()
    # when
    response = app_server.deliver(payload, sign(payload))
    # then
    customer = billed.localstripe.get(f"/v1/customers/{customer_id}")
    setup_intent = billed.localstripe.get(f"/v1/setup_intents/{session['setup_intent']}")
    assert response.status_code == 200 and response.json()["outcome"] == "processed"
    assert customer["invoice_settings"]["default_payment_method"] == setup_intent["payment_method"]
