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
import time
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


class MalformedEvent(Exception):
    """Correctly signed, but not an event this endpoint can read (no id, type or data object)."""


def verify(payload: bytes, signature: str) -> dict[str, Any]:
    """The event as plain data, if the signature is right and its timestamp within STRIPE_WEBHOOK_TOLERANCE
    seconds of now, in either direction (the SDK only refuses old ones; a future one is a replay prepared
    in advance or a wrong clock). Raises BadSignature, or MalformedEvent for a signed payload of the wrong shape."""
    timestamp = _signed_at(signature)
    if timestamp is not None and timestamp > time.time() + settings.STRIPE_WEBHOOK_TOLERANCE:
        raise BadSignature("timestamp in the future, outside the tolerance")
    try:
        event = client().construct_event(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE
        )
    except stripe.SignatureVerificationError as exc:
        raise BadSignature(str(exc)) from exc
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # signed, but not a JSON object
        raise MalformedEvent(str(exc)) from exc
    try:
        data = as_dict(event)
    except Exception as exc:  # the SDK's object could not be turned back into plain data
        raise MalformedEvent(str(exc)) from exc
    _check_shape(data)
    return data


def _signed_at(signature: str) -> int | None:
    for part in signature.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value) if value.isdigit() else None
    return None


def _check_shape(event: Any) -> None:
    if not isinstance(event, dict):
        raise MalformedEvent("the event is not a JSON object")
    if not isinstance(event.get("id"), str) or not event["id"]:
        raise MalformedEvent("the event has no id")
    if not isinstance(event.get("type"), str) or not event["type"]:
        raise MalformedEvent("the event has no type")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("the event has no data object")


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
