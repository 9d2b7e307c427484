"""Cycle count reads: count lists and inventory record accuracy (IRA, 库存记录准确率)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from core.counts.models import CycleCount, CycleCountLine, CycleCountState
from core.events.documents import document_list

ORDERINGS = {
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "completed": ("completed_at", "pk"),
    "-completed": ("-completed_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
}


def cycle_counts(
    *,
    states: Iterable[str] | None = None,
    location_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    ordering: str = "-created",
) -> QuerySet[CycleCount]:
    return document_list(
        CycleCount.objects.all(),
        ORDERINGS,
        states=states,
        created_from=created_from,
        created_to=created_to,
        ordering=ordering,
        location_id=location_id,
    )


def inventory_record_accuracy(
    count: CycleCount | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    location_id: int | None = None,
) -> Decimal | None:
    """The share (0–1) of counted lines whose book quantity matched the count exactly.

    Over one count, or over the counts completed in [start, end). None when nothing was counted, so an
    empty period is never reported as 100 % accurate."""
    lines = CycleCountLine.objects.filter(counted_quantity__isnull=False, system_quantity__isnull=False)
    if count is not None:
        lines = lines.filter(cycle_count=count)
    else:
        lines = lines.filter(cycle_count__state=CycleCountState.COMPLETED)
        if start is not None:
            lines = lines.filter(cycle_count__completed_at__gte=start)
        if end is not None:
            lines = lines.filter(cycle_count__completed_at__lt=end)
    if location_id is not None:
        lines = lines.filter(cycle_count__location_id=location_id)
    totals = lines.aggregate(counted=Count("pk"), matched=Count("pk", filter=Q(counted_quantity=F("system_quantity"))))
    if not totals["counted"]:
        return None
    return (Decimal(totals["matched"]) / Decimal(totals["counted"])).quantize(Decimal("0.0001"))
