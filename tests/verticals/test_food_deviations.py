"""Deviation investigations: an excursion opens one at once, holds the room's lots, the owner decides,
an overdue one escalates by rule; bad readings are refused, logged and never stored."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.events.webhooks import drain_outbox
from core.inventory.exceptions import InsufficientStock
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.inventory.models import Lot, StockLevel, StockMove
from core.locations.models import LocationKind
from core.rules.models import RuleNotification
from core.rules.packs import load_rule_pack
from tenants.accounts.roles import Role
from tests.platform.graphql_support import client_as
from verticals.food import deviations, services
from verticals.food.exceptions import DeviationNotOpen, ReadingsRejected
from verticals.food.models import ColdChainReading, Deviation, DeviationState, LotHold
from verticals.food.services import ReadingInput

from .support import data, gql


def _cold_room_with_stock():
    room = make_stock_location()
    sensor = services.create_sensor(
        code=f"LOG-{uuid.uuid4().hex[:6]}", location_id=room.pk, min_c=Decimal("0"), max_c=Decimal("4")
    )
    yoghurt = make_item(lot_tracked=True)
    receive(yoghurt, room, "30", lot_code="Y-10")
    receive(yoghurt, room, "20", lot_code="Y-11")
    return room, sensor, yoghurt


def _warm_readings(sensor, minutes: int = 3) -> None:
    start = timezone.now() - timedelta(hours=1)
    rows = [ReadingInput(sensor.code, start + timedelta(minutes=m), "9.5") for m in range(minutes)]
    services.record_readings(rows)


def test_an_excursion_opens_a_deviation_that_holds_the_rooms_lots(in_alpha):
    # given
    room, sensor, yoghurt = _cold_room_with_stock()
    # when
    _warm_readings(sensor)
    drain_outbox()
    drain_outbox()  # a second drain (or a redelivered event) opens nothing more
    # then
    deviation = Deviation.objects.get(sensor=sensor)
    assert deviation.state == DeviationState.OPEN and deviation.owner
    assert deviation.deadline - deviation.opened_at == timedelta(hours=24)
    assert deviation.temperature_c == Decimal("9.50")
    assert {(lot.lot.code, lot.quantity) for lot in deviation.lots.select_related("lot")} == {("Y-10", 30), ("Y-11", 20)}
    assert LotHold.objects.filter(reference=f"deviation:{deviation.pk}", released_at__isnull=True).count() == 2
    with pytest.raises(InsufficientStock):
        issue(yoghurt, room, "1")


def test_release_lifts_the_hold_and_destroy_posts_to_the_loss_location(in_alpha):
    # given
    room, sensor, yoghurt = _cold_room_with_stock()
    _warm_readings(sensor)
    drain_outbox()
    first = Deviation.objects.get(sensor=sensor)
    # when: released, the stock can be sold again
    deviations.decide(first, DeviationState.RELEASED, actor="qa@example.com", note="Probe was in the door draught")
    issue(yoghurt, room, "5")
    # and a second excursion, destroyed
    services.record_readings([ReadingInput(sensor.code, timezone.now() - timedelta(minutes=10), "12")])
    drain_outbox()
    second = Deviation.objects.get(sensor=sensor, state=DeviationState.OPEN)
    decision = deviations.decide(second, DeviationState.DESTROYED, actor="qa@example.com")
    # then
    assert decision.destroyed_quantity == Decimal("45")
    assert sum(StockLevel.objects.filter(item=yoghurt, location=room).values_list("on_hand", flat=True)) == 0
    loss_moves = StockMove.objects.filter(item=yoghurt, to_location__kind=LocationKind.INVENTORY_LOSS)
    assert sum(m.quantity for m in loss_moves) == Decimal("45")
    assert not LotHold.objects.filter(released_at__isnull=True, lot__in=Lot.objects.filter(item=yoghurt)).exists()
    with pytest.raises(DeviationNotOpen):
        deviations.decide(second, DeviationState.RELEASED, actor="qa@example.com")


def test_an_overdue_deviation_escalates_by_rule(in_alpha):
    # given
    loaded = load_rule_pack("food")
    assert {"deviation_overdue_manager", "deviation_overdue_owner"} <= set(loaded.created) | set(loaded.unchanged)
    _room, sensor, _yoghurt = _cold_room_with_stock()
    _warm_readings(sensor)
    drain_outbox()
    deviation = Deviation.objects.get(sensor=sensor)
    # when: not yet due, then an hour late
    assert deviations.escalate_overdue(now=deviation.deadline - timedelta(minutes=1)) == 0
    assert deviations.escalate_overdue(now=deviation.deadline + timedelta(hours=1)) == 1
    assert deviations.escalate_overdue(now=deviation.deadline + timedelta(hours=2)) == 0  # once only
    drain_outbox()
    # then: the manager hears, the owner (a day late or ten lots) does not yet
    notes = RuleNotification.objects.filter(subject_type="food_deviation", subject_id=str(deviation.pk))
    assert [note.role for note in notes] == ["manager"]


def test_a_day_late_deviation_reaches_the_owner(in_alpha):
    # given
    load_rule_pack("food")
    _room, sensor, _yoghurt = _cold_room_with_stock()
    _warm_readings(sensor)
    drain_outbox()
    deviation = Deviation.objects.get(sensor=sensor)
    # when
    deviations.escalate_overdue(now=deviation.deadline + timedelta(hours=25))
    drain_outbox()
    # then
    notes = RuleNotification.objects.filter(subject_type="food_deviation", subject_id=str(deviation.pk))
    assert sorted(note.role for note in notes) == ["manager", "owner"]


@pytest.mark.parametrize(
    ("recorded_at", "temperature"),
    [(timedelta(minutes=-5), "-300"), (timedelta(hours=2), "3.0")],
    ids=["minus-300", "future"],
)
def test_bad_readings_are_refused_logged_and_not_stored(in_alpha, caplog, recorded_at, temperature):
    # given
    _room, sensor, _yoghurt = _cold_room_with_stock()
    # when
    with caplog.at_level(logging.WARNING, logger="verticals.food.services"), pytest.raises(ReadingsRejected):
        services.record_readings([ReadingInput(sensor.code, timezone.now() + recorded_at, temperature)])
    drain_outbox()
    # then
    assert not ColdChainReading.objects.filter(sensor=sensor).exists()
    assert not Deviation.objects.filter(sensor=sensor).exists()
    assert "cold-chain batch refused" in caplog.text


DECIDE = """
mutation($id: ID!) { decideDeviation(deviationId: $id, decision: RELEASED, note: "探头位置不当") {
  deviation { state lots { lotCode quantity } } errors { code } } }
"""


def test_the_deviation_page_and_graphql_decision(alpha):
    # given
    with schema_context(alpha.schema):
        _room, sensor, _yoghurt = _cold_room_with_stock()
        _warm_readings(sensor)
        drain_outbox()
        deviation = Deviation.objects.get(sensor=sensor)
    manager = client_as(alpha, Role.MANAGER)
    # when
    page = manager.get("/food/deviations/").content.decode()
    refused = gql(client_as(alpha, Role.CLERK), DECIDE, id=str(deviation.pk))
    decided = data(manager, DECIDE, id=str(deviation.pk))["decideDeviation"]
    again = data(manager, DECIDE, id=str(deviation.pk))["decideDeviation"]
    # then
    assert sensor.code in page and "Y-10" in page
    assert refused.get("errors") or refused["data"]["decideDeviation"]["errors"]
    assert decided["deviation"]["state"] == "released" and len(decided["deviation"]["lots"]) == 2
    assert again["errors"][0]["code"] == "DEVIATION_DECIDED"
