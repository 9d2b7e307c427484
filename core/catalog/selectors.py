"""Catalog reads."""

from __future__ import annotations

from django.db.models import QuerySet

from core.catalog.models import Category, Item


def items(*, active: bool | None = None, category_id: int | None = None, search: str = "") -> QuerySet[Item]:
    queryset = Item.objects.all()
    if active is not None:
        queryset = queryset.filter(active=active)
    if category_id is not None:
        queryset = queryset.filter(category_id__in=category_descendant_ids(category_id))
    if search:
        from django.db.models import Q

        queryset = queryset.filter(Q(sku__icontains=search) | Q(name_zh__icontains=search) | Q(name_en__icontains=search))
    return queryset


def category_descendant_ids(category_id: int) -> list[int]:
    """The category and everything under it (one query per level; trees are shallow)."""
    result = [category_id]
    frontier = [category_id]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        result.extend(frontier)
    return result


def item_by_barcode(barcode: str) -> Item | None:
    return Item.objects.filter(barcodes__contains=[barcode]).first()
