"""Two people pressing the same button at once: the row lock lets one transition through and refuses the other."""

from __future__ import annotations

import threading
import time

from django.db import connection, connections
from django_tenants.utils import schema_context

from core.events.exceptions import InvalidTransition
from core.events.models import DomainEvent, OutboxMessage
from core.events.pipeline import register_transition_hook, transition, unregister_transition_hook
from tests.events.documents import Parcel


def test_concurrent_submits_record_one_transition(in_committed):
    # given: a committed parcel, and a hook slow enough that both requests overlap
    with connection.schema_editor() as editor:
        editor.create_model(Parcel)

    def slow_check(doc, from_state, to_state, actor):
        time.sleep(0.3)
        return False

    register_transition_hook(slow_check, subject_types=("parcel",))
    try:
        parcel = Parcel.objects.create()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def submit(actor: str) -> None:
            try:
                with schema_context(in_committed.schema_name):
                    stale = Parcel.objects.get(pk=parcel.pk)
                    barrier.wait()
                    transition(stale, "submitted", actor=actor)
                    outcomes.append("submitted")
            except InvalidTransition:
                outcomes.append("refused")
            finally:
                connections.close_all()

        # when
        threads = [threading.Thread(target=submit, args=(f"clerk{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # then
        assert sorted(outcomes) == ["refused", "submitted"]
        events = DomainEvent.objects.filter(subject_type="parcel", subject_id=parcel.pk)
        assert events.count() == 1
        assert OutboxMessage.objects.filter(event__in=events).count() == 1
    finally:
        unregister_transition_hook(slow_check)
        DomainEvent.objects.filter(subject_type="parcel").delete()
        with connection.schema_editor() as editor:
            editor.delete_model(Parcel)
