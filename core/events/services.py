"""State changes of the events app: recording events (with their outbox row) and managing webhook endpoints."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError
from core.events.exceptions import EventsErrorCode, WebhookConfigurationError
from core.events.models import DomainEvent, OutboxMessage, WebhookEndpoint, generate_webhook_secret


def record_event(
    event_type: str,
    subject_type: str,
    subject_id: int,
    *,
    actor: str = "system",
    payload: dict[str, Any] | None = None,
    from_state: str = "",
    to_state: str = "",
    blocking_reason: str = "",
    occurred_at: datetime | None = None,
) -> DomainEvent:
    """Append a DomainEvent and its OutboxMessage atomically (joining the caller's transaction).

    Outbox processing is scheduled only after the outermost transaction commits, so a rolled-back
    document change leaves neither an event nor a message, and no task ever sees uncommitted rows.
    """
    fields: dict[str, Any] = {}
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    # savepoint=False: inside a caller's transaction the pair needs no savepoint of its own (an error
    # rolls the caller back); on its own, this is still one transaction.
    with transaction.atomic(savepoint=False):
        event = DomainEvent.objects.create(
            event_type=event_type,
            subject_type=subject_type,
            subject_id=subject_id,
            actor=actor[:200],
            payload=payload or {},
            from_state=from_state,
            to_state=to_state,
            blocking_reason=blocking_reason,
            **fields,
        )
        OutboxMessage.objects.create(event=event, created_at=event.occurred_at)
        _schedule_outbox_drain()
    return event


def record_events(
    event_type: str, subject_type: str, subjects: list[tuple[int, dict[str, Any]]], *, actor: str = "system"
) -> list[DomainEvent]:
    """record_event for many subjects of one type at once: two bulk INSERTs instead of two per event."""
    if not subjects:
        return []
    with transaction.atomic(savepoint=False):
        events = DomainEvent.objects.bulk_create(
            [
                DomainEvent(event_type=event_type, subject_type=subject_type, subject_id=pk, actor=actor[:200], payload=payload)
                for pk, payload in subjects
            ]
        )
        OutboxMessage.objects.bulk_create([OutboxMessage(event=event, created_at=event.occurred_at) for event in events])
        _schedule_outbox_drain()
    return events


def _schedule_outbox_drain() -> None:
    """Ask for one outbox drain per transaction, however many events it records."""
    for _savepoints, callback, *_rest in getattr(connection, "run_on_commit", ()):
        if getattr(callback, "_drains_outbox", False):
            return  # already asked for in this transaction (a rolled-back savepoint drops it, so we ask again)
    from core.events.tasks import process_outbox
    from core.tasks import enqueue_on_commit

    before = len(connection.run_on_commit)
    enqueue_on_commit(process_outbox)
    if len(connection.run_on_commit) > before:  # inside a transaction: mark our callback
        connection.run_on_commit[-1][1]._drains_outbox = True  # type: ignore[attr-defined]


def schedule_outbox_drain() -> None:
    """For writers that insert their event and outbox row in their own SQL (the ledger's one-statement posting)."""
    _schedule_outbox_drain()


def purge_outbox(*, keep: timedelta = timedelta(days=7), now: datetime | None = None) -> int:
    """Delete outbox rows processed more than `keep` ago (the events stay; the outbox is only a queue)."""
    cutoff = (now or timezone.now()) - keep
    with transaction.atomic():
        deleted, _ = OutboxMessage.objects.filter(processed_at__lt=cutoff).delete()
    return deleted


# --- webhook endpoints ---------------------------------------------------------------------------

_EVENT_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$")


def _clean_endpoint(url: str, event_types: list[str]) -> tuple[str, list[str]]:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise WebhookConfigurationError("Enter an http:// or https:// URL.", field="url") from error
    from core.events.webhooks import host_allowed

    if not host_allowed(url, resolve=False):
        raise WebhookConfigurationError("The URL points to a private or local network address.", field="url")
    cleaned = sorted({item.strip() for item in event_types if item.strip()})
    for item in cleaned:
        if not _EVENT_PATTERN.match(item):
            raise WebhookConfigurationError(
                f"'{item}' is not an event type: use e.g. 'purchase_order.submitted', 'purchase_order.*' or '*'.",
                field="eventTypes",
                code=EventsErrorCode.INVALID_EVENT_TYPE,
            )
    return url, cleaned


def create_webhook_endpoint(
    url: str, *, event_types: list[str] | None = None, description: str = "", active: bool = True
) -> WebhookEndpoint:
    """Register an endpoint; its generated secret is on the returned object (show it to the admin once)."""
    url, cleaned = _clean_endpoint(url, event_types or [])
    with transaction.atomic():
        return WebhookEndpoint.objects.create(url=url, event_types=cleaned, description=description[:200], active=active)


def update_webhook_endpoint(
    endpoint_id: int,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
    rotate_secret: bool = False,
) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint = _locked_endpoint(endpoint_id)
        new_url, cleaned = _clean_endpoint(
            url if url is not None else endpoint.url, event_types if event_types is not None else endpoint.event_types
        )
        endpoint.url, endpoint.event_types = new_url, cleaned
        if description is not None:
            endpoint.description = description[:200]
        if active is not None:
            endpoint.active = active
        if rotate_secret:
            endpoint.secret = generate_webhook_secret()
        endpoint.save()
        return endpoint


def delete_webhook_endpoint(endpoint_id: int) -> None:
    """Remove an endpoint with its deliveries and their log (the events themselves stay)."""
    with transaction.atomic():
        _locked_endpoint(endpoint_id).delete()


def _locked_endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist as error:
        raise DomainError("No such webhook endpoint.", field="id", code=EventsErrorCode.NOT_FOUND) from error
