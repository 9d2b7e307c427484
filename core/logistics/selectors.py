"""Logistics reads: transfer lists with filters, and the inbound shipments of a purchase order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from core.logistics.models import InboundShipment, InboundShipmentState, TransferOrder

ORDERINGS = {
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "eta": ("eta", "pk"),
    "-eta": ("-eta", "-pk"),
}


def transfers(
    *,
    states: Iterable[str] | None = None,
    location_id: int | None = None,
    from_location_id: int | None = None,
    to_location_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    ordering: str = "-created",
) -> QuerySet[TransferOrder]:
    queryset = TransferOrder.objects.all()
    if states:
        queryset = queryset.filter(state__in=list(states))
    if location_id is not None:
        queryset = queryset.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if from_location_id is not None:
        queryset = queryset.filter(from_location_id=from_location_id)
    if to_location_id is not None:
        queryset = queryset.filter(to_location_id=to_location_id)
    if created_from is not None:
        queryset = queryset.filter(created_at__gte=created_from)
    if created_to is not None:
        queryset = queryset.filter(created_at__lt=created_to)
    return queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["-created"]))


def inbound_in_transit(purchase_order_id: int | None = None) -> QuerySet[InboundShipment]:
    queryset = InboundShipment.objects.filter(state=InboundShipmentState.IN_TRANSIT)
    if purchase_order_id is not None:
        queryset = queryset.filter(purchase_order_id=purchase_order_id)
    return queryset
