"""What the test kit plugs into the core: a transition hook, an outbox consumer, a position source, an onboarding check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

SKU_PREFIX = "TESTKIT-"
PLEDGED = Decimal("7")  # what every test kit item adds to inventory position, wherever it is asked for
CHECKED_NOTE = "checked by testkit"

# Event ids the consumer saw, in this process (the tests drain the outbox in-process).
received_event_ids: list[int] = []


def inspect_crate(doc: Any, from_state: str, to_state: str, actor: str) -> bool:
    """Veto sealing a crate without a label; otherwise stamp it (the pipeline saves the locked row)."""
    if to_state == "sealed" and not doc.label:
        raise ValidationError("A crate needs a label before it is sealed.", code="testkit_unlabelled")
    doc.note = CHECKED_NOTE
    return False


def note_crate_event(event: Any) -> None:
    if event.subject_type == "testkit_crate" and event.pk not in received_event_ids:
        received_event_ids.append(event.pk)


def pledged_quantities(item_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    from core.catalog.models import Item

    kit_items = Item.objects.filter(pk__in=item_ids, sku__startswith=SKU_PREFIX).values_list("pk", flat=True)
    return {(item_id, location_id): PLEDGED for item_id in kit_items for location_id in location_ids}


def has_testkit_items() -> bool:
    from core.catalog.models import Item

    return Item.objects.filter(sku__startswith=SKU_PREFIX).exists()
