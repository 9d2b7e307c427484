"""The order timeline: each step with its duration, the total, and why the document is stuck and for how long."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from core.events.models import DomainEvent
from core.events.pipeline import set_blocking_reason, transition
from core.events.services import record_event
from core.events.timeline import order_timeline

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def _state_event(subject_id, from_state, to_state, at, actor="buyer", reason=""):
    return record_event(
        f"service_order.{to_state}",
        "service_order",
        subject_id,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        blocking_reason=reason,
        occurred_at=at,
    )


def test_timeline_shows_each_step_with_duration_and_total(in_alpha):
    # given: created 09:00, submitted 09:30, approved 11:30 by the manager, now 14:00
    _state_event(41, "", "draft", T0, actor="clerk")
    _state_event(41, "draft", "submitted", T0 + timedelta(minutes=30), reason="awaiting_approval")
    _state_event(41, "submitted", "approved", T0 + timedelta(hours=2, minutes=30), actor="manager")
    now = T0 + timedelta(hours=5)
    # when
    timeline = order_timeline("service_order", 41, now=now)
    # then
    assert [step.state for step in timeline.steps] == ["draft", "submitted", "approved"]
    durations = [step.duration for step in timeline.steps]
    assert durations == [timedelta(minutes=30), timedelta(hours=2), timedelta(hours=2, minutes=30)]
    assert timeline.steps[1].left_at == T0 + timedelta(hours=2, minutes=30)
    assert timeline.steps[2].left_at is None
    assert timeline.steps[2].actor == "manager"
    assert timeline.total_elapsed == timedelta(hours=5)
    assert timeline.current_state == "approved"
    assert timeline.blocking_reason == ""  # approved, and nothing holds it


def test_timeline_reports_blocking_reason_of_current_state_with_its_age(in_alpha):
    # given: submitted at 09:30 and waiting for a manager since
    _state_event(42, "", "draft", T0)
    _state_event(42, "draft", "submitted", T0 + timedelta(minutes=30), reason="awaiting_approval")
    # when
    timeline = order_timeline("service_order", 42, now=T0 + timedelta(hours=26, minutes=30))
    # then
    assert timeline.blocking_reason == "awaiting_approval"
    assert timeline.blocked_since == T0 + timedelta(minutes=30)
    assert timeline.blocked_for == timedelta(hours=26)


def test_blocking_event_without_state_change_sets_reason_and_its_clock(in_alpha):
    # given: approved at 10:00, the reservation failed at 10:05 and again at 12:00 (same reason, same clock)
    _state_event(43, "", "approved", T0 + timedelta(hours=1))
    for at in (T0 + timedelta(hours=1, minutes=5), T0 + timedelta(hours=3)):
        record_event(
            "service_order.blocked",
            "service_order",
            43,
            from_state="approved",
            to_state="approved",
            blocking_reason="awaiting_stock",
            occurred_at=at,
        )
    # when
    timeline = order_timeline("service_order", 43, now=T0 + timedelta(hours=4))
    # then: one step, still approved, stuck on stock for 2 h 55 min
    assert [step.state for step in timeline.steps] == ["approved"]
    assert timeline.blocking_reason == "awaiting_stock"
    assert timeline.blocked_for == timedelta(hours=2, minutes=55)


def test_transition_clears_a_block_the_new_state_does_not_have(parcels):
    # given: an approved parcel stuck on stock, then shipped (which waits for the carrier)
    parcel = parcels.objects.create(state="approved")
    set_blocking_reason(parcel, "awaiting_stock")
    transition(parcel, "shipped", actor="picker")
    # when
    timeline = order_timeline("parcel", parcel.pk)
    # then
    assert timeline.current_state == "shipped"
    assert timeline.blocking_reason == "awaiting_carrier"
    assert timeline.steps[-1].actor == "picker"


def test_pipeline_events_build_the_timeline(parcels):
    # given: a parcel moved through its pipeline; the test places the events on the clock
    parcel = parcels.objects.create()
    transition(parcel, "submitted", actor="clerk")
    transition(parcel, "approved", actor="manager")
    events = list(DomainEvent.objects.filter(subject_type="parcel", subject_id=parcel.pk).order_by("pk"))
    DomainEvent.objects.filter(pk=events[0].pk).update(occurred_at=T0)
    DomainEvent.objects.filter(pk=events[1].pk).update(occurred_at=T0 + timedelta(hours=3))
    # when
    timeline = order_timeline("parcel", parcel.pk, now=T0 + timedelta(hours=4))
    # then
    steps = [(step.state, step.duration) for step in timeline.steps]
    assert steps == [("submitted", timedelta(hours=3)), ("approved", timedelta(hours=1))]


def test_labels_follow_the_language(in_alpha):
    # given
    _state_event(44, "", "submitted", T0, reason="awaiting_approval")
    timeline = order_timeline("service_order", 44, now=T0 + timedelta(hours=1))
    # when / then
    with translation.override("zh-hans"):
        assert timeline.steps[0].label == "已提交"
        assert timeline.blocking_reason_label == "待审批"
    with translation.override("en"):
        assert timeline.steps[0].label == "Submitted"
        assert timeline.blocking_reason_label == "Awaiting approval"


def test_unknown_document_has_an_empty_timeline(in_alpha):
    timeline = order_timeline("service_order", 999_999)
    assert timeline.steps == [] and timeline.total_elapsed == timedelta(0) and timeline.blocking_reason == ""
