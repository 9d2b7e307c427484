"""Two gateways sending readings for one sensor at the same moment: each reading is stored once, and a
different temperature for a time being stored is refused, never silently dropped.

Needs committed rows seen by two connections, so it runs in a committed tenant (deleted afterwards)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from core.inventory.factories import make_stock_location
from verticals.food import services
from verticals.food.exceptions import ReadingsRejected
from verticals.food.models import ColdChainReading, ColdChainSensor
from verticals.food.services import ReadingInput

from .test_food import T0

MINUTES = 300


def _sensor(schema: str) -> ColdChainSensor:
    with schema_context(schema):
        location = make_stock_location()
        return services.create_sensor(code="LOG-RACE", location_id=location.pk, min_c=Decimal("0"), max_c=Decimal("4"))


def _export(sensor: ColdChainSensor, in_range_c: str) -> list[ReadingInput]:
    """A reading a minute; every third one out of range."""
    return [ReadingInput(sensor.code, T0 + timedelta(minutes=i), "6" if i % 3 == 0 else in_range_c) for i in range(MINUTES)]


def _race(schema: str, *batches: list[ReadingInput]) -> list[object]:
    """Send the batches from one thread each, released together; each thread's result or exception."""
    start = threading.Barrier(len(batches))
    outcomes: list[object] = []

    def send(batch: list[ReadingInput]) -> None:
        try:
            with schema_context(schema):
                start.wait(timeout=10)
                outcomes.append(services.record_readings(batch))
        except Exception as error:  # noqa: BLE001 - collected: an exception in a thread would otherwise vanish
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_same_batch_sent_twice_at_once_is_stored_once(committed_tenant):
    # given
    sensor = _sensor(committed_tenant.schema)
    export = _export(sensor, "2")
    # when
    outcomes = _race(committed_tenant.schema, export, export)
    # then: one gateway stored everything, the other found it all stored
    summary = sorted((o.stored, o.already_stored, o.out_of_range) for o in outcomes)  # type: ignore[attr-defined]
    assert summary == [(0, MINUTES, 0), (MINUTES, 0, MINUTES // 3)]
    with schema_context(committed_tenant.schema):
        assert ColdChainReading.objects.filter(sensor=sensor).count() == MINUTES


def test_a_conflicting_batch_at_the_same_moment_is_refused_not_dropped(committed_tenant):
    # given two exports for the same minutes that disagree on the in-range temperatures
    sensor = _sensor(committed_tenant.schema)
    # when
    outcomes = _race(committed_tenant.schema, _export(sensor, "2"), _export(sensor, "3"))
    # then: the sensor lock makes the second wait and see the first's rows, so it is refused as a conflict
    refused = [o for o in outcomes if isinstance(o, ReadingsRejected)]
    stored = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(refused) == 1 and len(stored) == 1, outcomes
    assert len(refused[0].bad_rows) == MINUTES - MINUTES // 3
    with schema_context(committed_tenant.schema):
        assert ColdChainReading.objects.filter(sensor=sensor).count() == MINUTES
