"""Deviation investigations (偏差调查, GSP-style): an excursion opens one at once, its lots go on hold, the
owner decides (release, rework, destroy to the loss location), and an overdue one escalates by rule.

Opening is the food module's outbox consumer of `food.excursion_detected` (recorded in the readings batch's
transaction), so the investigation exists as soon as the outbox drains, seconds after the reading. The
consumer is idempotent: a redelivered event, or a second excursion while one is open, joins the open one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.events.models import DomainEvent
from core.events.services import record_event
from core.inventory.models import StockLevel
from core.inventory.services import MoveLine, post_moves
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tenants.accounts.models import User
from tenants.accounts.roles import Role
from verticals.food.exceptions import DeviationNotOpen
from verticals.food.models import (
    ColdChainSensor,
    Deviation,
    DeviationLot,
    DeviationState,
    HoldReason,
    LotHold,
)
from verticals.food.rules import DEVIATION_OVERDUE
from verticals.food.services import EXCURSION_DETECTED

# GSP practice: a temperature deviation is investigated and decided within 24 hours.
INVESTIGATION_WINDOW = timedelta(hours=24)
DECISIONS = (DeviationState.RELEASED, DeviationState.REWORKED, DeviationState.DESTROYED)


def _owner() -> str:
    """Who investigates: the first active manager, else an admin, else the owner of the account."""
    for role in (Role.MANAGER, Role.ADMIN, Role.OWNER):
        email = User.objects.filter(role=role.value, is_active=True).order_by("pk").values_list("email", flat=True).first()
        if email:
            return email
    return "system"


def on_domain_event(event: DomainEvent) -> None:
    """The food module's outbox consumer."""
    if event.event_type == EXCURSION_DETECTED:
        payload = event.payload or {}
        started = parse_datetime(str(payload.get("recorded_at", ""))) or event.occurred_at
        open_deviation(event.subject_id, started, Decimal(str(payload.get("temperature_c", "0"))))


@transaction.atomic
def open_deviation(sensor_id: int, started_at: datetime, temperature_c: Decimal) -> Deviation:
    """The sensor's open investigation, or a new one holding every lot in the sensor's location."""
    sensor = ColdChainSensor.objects.select_for_update().get(pk=sensor_id)
    existing = Deviation.objects.filter(sensor=sensor, state=DeviationState.OPEN).first()
    if existing is not None:
        return existing
    now = timezone.now()
    deviation = Deviation(
        sensor=sensor,
        opened_at=now,
        excursion_started_at=started_at,
        temperature_c=temperature_c,
        owner=_owner(),
        deadline=now + INVESTIGATION_WINDOW,
    )
    try:
        with transaction.atomic():
            deviation.save()
    except IntegrityError:  # opened by a concurrent drain between our read and insert
        return Deviation.objects.get(sensor=sensor, state=DeviationState.OPEN)
    levels = [
        (lv.lot_id, lv.item_id, lv.location_id, lv.on_hand)
        for lv in StockLevel.objects.filter(location_id=sensor.location_id, lot__isnull=False, on_hand__gt=0).order_by(
            "item_id", "lot_id"
        )
        if lv.lot_id is not None
    ]
    DeviationLot.objects.bulk_create(
        [
            DeviationLot(deviation=deviation, lot_id=lot_id, item_id=item_id, location_id=location_id, quantity=on_hand)
            for lot_id, item_id, location_id, on_hand in levels
        ]
    )
    reference = f"deviation:{deviation.pk}"
    LotHold.objects.bulk_create(
        [
            LotHold(lot_id=lot_id, reason=HoldReason.DEVIATION, reference=reference, held_at=now, held_by="system")
            for lot_id in sorted({row[0] for row in levels})
        ]
    )
    record_event("food.deviation_opened", "food_deviation", deviation.pk, payload={"sensor": sensor.code, "lots": len(levels)})
    return deviation


@dataclass(frozen=True)
class Decision:
    deviation: Deviation
    destroyed_quantity: Decimal


@transaction.atomic
def decide(deviation: Deviation, decision: str, *, actor: str, note: str = "") -> Decision:
    """Close the investigation: release or rework lift the holds; destroy writes the lots' stock still in
    the room off to the loss location (one posting, keyed on the deviation) and lifts the holds after."""
    deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if deviation.state != DeviationState.OPEN:
        raise DeviationNotOpen(
            _("Deviation %(id)s is already decided (%(state)s).") % {"id": deviation.pk, "state": deviation.state}
        )
    if decision not in DECISIONS:
        raise DeviationNotOpen(_("Decide release, rework or destroy."), field="decision")
    now = timezone.now()
    destroyed = Decimal("0")
    if decision == DeviationState.DESTROYED:
        destroyed = _destroy(deviation, actor)
    LotHold.objects.filter(reference=f"deviation:{deviation.pk}", released_at__isnull=True).update(
        released_at=now, released_by=actor[:200]
    )
    deviation.state = decision
    deviation.decided_at = now
    deviation.decided_by = actor[:200]
    deviation.decision_note = note
    deviation.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    record_event(f"food.deviation_{decision}", "food_deviation", deviation.pk, actor=actor, payload={"destroyed": str(destroyed)})
    return Decision(deviation, destroyed)


def _destroy(deviation: Deviation, actor: str) -> Decimal:
    loss = get_virtual_location(LocationKind.INVENTORY_LOSS)
    wanted = list(deviation.lots.values_list("item_id", "lot_id", "location_id"))
    levels = {
        (lv.item_id, lv.lot_id, lv.location_id): lv.on_hand
        for lv in StockLevel.objects.filter(
            lot_id__in=[w[1] for w in wanted], location_id__in=[w[2] for w in wanted], on_hand__gt=0
        )
    }
    lines = [
        MoveLine(
            item_id=item_id,
            from_location_id=location_id,
            to_location_id=loss.pk,
            quantity=levels[(item_id, lot_id, location_id)],
            lot_id=lot_id,
        )
        for item_id, lot_id, location_id in wanted
        if (item_id, lot_id, location_id) in levels
    ]
    if lines:
        post_moves(
            lines,
            idempotency_key=f"food.deviation:{deviation.pk}:destroy",
            document_type="food_deviation",
            document_id=deviation.pk,
            actor=actor,
            reason=_("Destroyed after temperature deviation %(id)s") % {"id": deviation.pk},
        )
    return sum((line.quantity for line in lines), Decimal("0"))


def overdue_context(deviation: Deviation, now: datetime) -> dict[str, Any]:
    """What an escalation rule reads about an overdue deviation."""
    return {
        "deviation": {
            "hours_overdue": round((now - deviation.deadline).total_seconds() / 3600, 1),
            "lot_count": deviation.lots.count(),
            "peak_c": str(deviation.temperature_c),
            "owner": deviation.owner,
        }
    }


@transaction.atomic
def escalate_overdue(now: datetime | None = None) -> int:
    """Mark open deviations past their deadline escalated, once each, and record `food.deviation_overdue`
    with the figures the rule pack's escalation rules read (who is notified is the rules' business)."""
    now = now or timezone.now()
    overdue = list(
        Deviation.objects.select_for_update(skip_locked=True)
        .filter(state=DeviationState.OPEN, deadline__lt=now, escalated_at__isnull=True)
        .order_by("pk")
    )
    for deviation in overdue:
        deviation.escalated_at = now
        deviation.save(update_fields=["escalated_at"])
        record_event(DEVIATION_OVERDUE, "food_deviation", deviation.pk, payload=overdue_context(deviation, now))
    return len(overdue)
