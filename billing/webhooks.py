"""Stripe webhooks: verify the signature, store each event once, then copy the subscription's current state.

Delivery guarantees handled here: Stripe delivers at least once, in any order, and retries until it gets a
2xx. So an event id is stored once (unique constraint) and processed once (the row is locked while it is
processed and marked processed in the same transaction); a failure leaves it unprocessed and answers
non-2xx, so Stripe's retry processes it again. What an event *says* is never applied: the handler re-reads
the subscription from Stripe, which makes the order of events irrelevant.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import BillingAccount, StripeEvent
from billing.stripe_api import as_dict, client
from billing.stripe_billing import adopt_checkout_payment_method, sync_account

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # already processed: a replay
    IGNORED = "ignored"  # not about one of our subscriptions
    FAILED = "failed"  # will be processed again on Stripe's retry


class BadSignature(Exception):
    """The payload is not a correctly signed, fresh Stripe event."""


def verify(payload: bytes, signature: str) -> dict[str, Any]:
    """The event as plain data, if the signature is right and at most STRIPE_WEBHOOK_TOLERANCE seconds old."""
    try:
        event = client().construct_event(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE
        )
        return as_dict(event)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc


def _customer_of(obj: Any) -> str:
    customer = obj.get("customer")
    return customer if isinstance(customer, str) else (customer or {}).get("id", "")


def account_for(event: dict[str, Any]) -> BillingAccount | None:
    """The tenant account an event concerns: subscriptions, invoices and checkout sessions name the customer."""
    customer = _customer_of(event["data"]["object"])
    if not customer:
        return None
    return BillingAccount.objects.filter(stripe_customer_id=customer).first()


def store(event: dict[str, Any]) -> StripeEvent:
    """The stored row for this event id, created by the first delivery (concurrent ones find it)."""
    row, _ = StripeEvent.objects.get_or_create(
        event_id=event["id"], defaults={"type": event["type"], "object_id": str(event["data"]["object"].get("id", ""))}
    )
    return row


def handle(event: dict[str, Any], *, dedupe: bool = True) -> Outcome:
    """Process a verified event once. `dedupe=False` skips the stored-event bookkeeping (benchmark baseline)."""
    if not dedupe:
        return _sync_for(event)
    row = store(event)
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=row.pk)  # concurrent deliveries wait here
        if row.processed_at is not None:
            return Outcome.DUPLICATE
        row.attempts += 1
        try:
            with transaction.atomic():
                outcome = _sync_for(event)
        except Exception as exc:  # any failure must answer non-2xx, so Stripe retries
            logger.exception("stripe event %s failed", event["id"])
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.save(update_fields=["attempts", "last_error"])
            return Outcome.FAILED
        row.processed_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "processed_at", "last_error"])
    return outcome


def _sync_for(event: dict[str, Any]) -> Outcome:
    account = account_for(event)
    if account is None:
        return Outcome.IGNORED
    if event["type"] == "checkout.session.completed":
        adopt_checkout_payment_method(event["data"]["object"])
    sync_account(account.pk, source=f"webhook:{event['id']}")
    return Outcome.PROCESSED
