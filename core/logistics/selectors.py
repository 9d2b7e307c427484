"""Logistics reads: transfer lists with filters, and the inbound shipments of a purchase order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from core.events.documents import document_list
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
    if location_id is not None:  # either end: the one filter the shared list filter does not know
        queryset = queryset.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    return document_list(
        queryset,
        ORDERINGS,
        states=states,
        created_from=created_from,
        created_to=created_to,
        ordering=ordering,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
    )


def inbound_in_transit(purchase_order_id: int | None = None) -> QuerySet[InboundShipment]:
    queryset = InboundShipment.objects.filter(state=InboundShipmentState.IN_TRANSIT)
    if purchase_order_id is not None:
        queryset = queryset.filter(purchase_order_id=purchase_order_id)
    return queryset
