"""The state pipeline: transitions follow TRANSITIONS, leave an event and an outbox row, and hooks can veto."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core.events.exceptions import InvalidTransition, TransitionVetoed
from core.events.models import DomainEvent, OutboxMessage
from core.events.pipeline import (
    register_transition_hook,
    set_blocking_reason,
    transition,
    unregister_transition_hook,
)


@pytest.fixture
def hook():
    """Register hooks for one test only."""
    registered = []

    def add(fn, **kwargs):
        registered.append(register_transition_hook(fn, **kwargs))
        return fn

    yield add
    for fn in registered:
        unregister_transition_hook(fn)


def test_transition_moves_state_and_records_event_with_outbox_row(parcels):
    # given
    parcel = parcels.objects.create(note="P-1")
    # when
    transition(parcel, "submitted", actor="buyer@alpha.example.com", reason="weekly order", payload={"total": "120.00"})
    # then
    parcel.refresh_from_db()
    assert parcel.state == "submitted"
    event = DomainEvent.objects.get(subject_type="parcel", subject_id=parcel.pk)
    assert event.event_type == "parcel.submitted"
    assert (event.from_state, event.to_state) == ("draft", "submitted")
    assert event.actor == "buyer@alpha.example.com"
    assert event.blocking_reason == "awaiting_approval"
    assert event.payload == {"total": "120.00", "reason": "weekly order"}
    assert OutboxMessage.objects.filter(event=event, processed_at__isnull=True).count() == 1


def test_transition_outside_pipeline_raises_invalid_transition_naming_allowed_targets(parcels):
    # given
    parcel = parcels.objects.create()
    # when
    with pytest.raises(InvalidTransition) as caught:
        transition(parcel, "shipped", actor="clerk")
    # then
    assert caught.value.code == "INVALID_TRANSITION"
    assert "'draft'" in str(caught.value) and "'shipped'" in str(caught.value)
    assert "submitted, cancelled" in str(caught.value)
    parcel.refresh_from_db()
    assert parcel.state == "draft"
    assert not DomainEvent.objects.filter(subject_type="parcel").exists()


def test_final_state_allows_nothing(parcels):
    # given
    parcel = parcels.objects.create(state="cancelled")
    # when / then
    with pytest.raises(InvalidTransition, match="none"):
        transition(parcel, "submitted", actor="clerk")
    assert parcel.allowed_transitions() == ()


def test_transition_reads_locked_row_not_stale_instance(parcels):
    # given: another request already submitted the parcel; this instance still says draft
    parcel = parcels.objects.create()
    stale = parcels.objects.get(pk=parcel.pk)
    transition(parcel, "submitted", actor="first")
    # when / then: the second "submit" is refused instead of recording a duplicate
    with pytest.raises(InvalidTransition):
        transition(stale, "submitted", actor="second")
    assert DomainEvent.objects.filter(subject_type="parcel", event_type="parcel.submitted").count() == 1


def test_rolled_back_transition_leaves_no_event_and_no_outbox_row(parcels):
    # given
    parcel = parcels.objects.create()
    events_before, outbox_before = DomainEvent.objects.count(), OutboxMessage.objects.count()
    # when: the caller's transaction fails after the transition
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(parcel, "submitted", actor="clerk")
        raise RuntimeError("receipt posting failed")
    # then
    assert parcels.objects.get(pk=parcel.pk).state == "draft"
    assert (DomainEvent.objects.count(), OutboxMessage.objects.count()) == (events_before, outbox_before)


def test_veto_hook_stops_transition_and_returns_reason(parcels, hook):
    # given
    def credit_check(doc, from_state, to_state, actor):
        if to_state == "approved":
            raise ValidationError("The customer is over the credit limit.", code="credit_limit_exceeded")
        return False

    hook(credit_check)
    parcel = parcels.objects.create(state="submitted")
    # when
    with pytest.raises(TransitionVetoed) as caught:
        transition(parcel, "approved", actor="manager")
    # then
    assert caught.value.code == "TRANSITION_VETOED"
    assert str(caught.value) == "The customer is over the credit limit."
    assert caught.value.reasons == ["credit_limit_exceeded"]
    assert parcels.objects.get(pk=parcel.pk).state == "submitted"
    assert not DomainEvent.objects.filter(subject_type="parcel").exists()
    assert not OutboxMessage.objects.filter(event__subject_type="parcel").exists()


def test_hook_returning_true_stops_later_hooks_and_false_falls_through(parcels, hook):
    # given
    calls = []

    def first(doc, from_state, to_state, actor):
        calls.append("first")
        return False

    def handler(doc, from_state, to_state, actor):
        calls.append("handler")
        doc.note = "checked by handler"  # a hook may set fields; they are saved with the state
        return True

    def never(doc, from_state, to_state, actor):
        calls.append("never")
        raise ValidationError("should not run")

    hook(first)
    hook(handler)
    hook(never)
    parcel = parcels.objects.create()
    # when
    transition(parcel, "submitted", actor="clerk")
    # then
    assert calls == ["first", "handler"]
    assert parcel.note == "checked by handler"
    assert parcels.objects.get(pk=parcel.pk).note == "checked by handler"


def test_hook_scoped_to_other_subject_types_is_not_called(parcels, hook):
    # given
    def sales_only(doc, from_state, to_state, actor):
        raise ValidationError("sales rule")

    hook(sales_only, subject_types=("sales_order",))
    parcel = parcels.objects.create()
    # when
    transition(parcel, "submitted", actor="clerk")
    # then
    assert parcel.state == "submitted"


def test_set_blocking_reason_records_event_once_per_reason(parcels):
    # given
    parcel = parcels.objects.create(state="approved")
    # when: a reservation fails three times in a row, then stock arrives
    first = set_blocking_reason(parcel, "awaiting_stock")
    repeated = set_blocking_reason(parcel, "awaiting_stock")
    cleared = set_blocking_reason(parcel, "")
    # then
    assert first is not None and first.event_type == "parcel.blocked"
    assert (first.from_state, first.to_state, first.blocking_reason) == ("approved", "approved", "awaiting_stock")
    assert repeated is None
    assert cleared is not None and cleared.event_type == "parcel.unblocked"
    assert OutboxMessage.objects.filter(event__subject_type="parcel").count() == 2


def test_several_events_in_one_transaction_schedule_one_outbox_drain(parcels, django_capture_on_commit_callbacks):
    # given
    parcel = parcels.objects.create()
    # when
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        transition(parcel, "submitted", actor="clerk")
        transition(parcel, "approved", actor="manager")
        set_blocking_reason(parcel, "awaiting_stock")
    # then: three events, one task message after commit (none before)
    assert DomainEvent.objects.filter(subject_type="parcel").count() == 3
    assert len(callbacks) == 1


def test_purge_drops_only_outbox_rows_processed_long_ago(in_alpha):
    from datetime import timedelta

    from django.utils import timezone

    from core.events.services import purge_outbox, record_event

    # given: one message processed ten days ago, one yesterday, one still pending
    now = timezone.now()
    old, recent, pending = (record_event("parcel.noted", "parcel", n) for n in range(3))
    OutboxMessage.objects.filter(event=old).update(processed_at=now - timedelta(days=10))
    OutboxMessage.objects.filter(event=recent).update(processed_at=now - timedelta(days=1))
    # when
    deleted = purge_outbox(now=now)
    # then: the queue shrinks, the events (the history) stay
    assert deleted == 1
    assert set(OutboxMessage.objects.values_list("event_id", flat=True)) >= {recent.pk, pending.pk}
    assert not OutboxMessage.objects.filter(event=old).exists()
    assert DomainEvent.objects.filter(pk=old.pk).exists()
