"""Stock by location: on hand, reserved, available, lot and expiry, with the inventory position."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.catalog.models import Item
from core.inventory import selectors as inventory
from core.inventory.position import inventory_positions
from core.web.decorators import require
from core.web.forms import internal_locations
from core.web.views.common import paginate, query_without_page
from tenants.accounts.roles import Permission


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@require(Permission.VIEW)
def stock_levels(request: HttpRequest) -> HttpResponse:
    location_id = _int(request.GET.get("location"))
    code = request.GET.get("item", "").strip()
    item = None
    if code:
        item = Item.objects.filter(sku=code).first() or Item.objects.filter(barcodes__contains=[code]).first()
    levels = inventory.stock_levels(location_id=location_id, item_id=item.pk if item else None)
    if code and item is None:
        levels = levels.none()
    levels = levels.select_related("item", "location", "lot").order_by("location__code", "item__sku", "lot__code")
    page = paginate(request, levels, size=50)
    levels_on_page = list(page.object_list)
    # on hand + on order + in transit − reserved − backordered, per item at the location: one batch read
    positions = inventory_positions(sorted({(level.item_id, level.location_id) for level in levels_on_page}))
    rows = [
        {"level": level, "available": level.on_hand - level.reserved, "position": positions[(level.item_id, level.location_id)]}
        for level in levels_on_page
    ]
    context = {
        "page": page,
        "rows": rows,
        "locations": internal_locations(),
        "location_id": location_id,
        "item_code": code,
        "query": query_without_page(request),
    }
    return render(request, "web/stock/levels.html", context)
