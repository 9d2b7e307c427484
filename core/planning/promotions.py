"""Promotions as records (known-future inputs of the demand forecast): create, change, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.catalog.models import Category, Item
from core.locations.models import Location
from core.planning.exceptions import InvalidPromotion
from core.planning.models import Promotion, PromotionKind


@dataclass(frozen=True)
class PromotionInput:
    name: str
    start_date: date
    end_date: date
    kind: str = PromotionKind.DISCOUNT
    item_id: int | None = None
    category_id: int | None = None
    location_ids: tuple[int, ...] = ()
    discount: Decimal | None = None


def _check(data: PromotionInput) -> None:
    if not data.name.strip():
        raise InvalidPromotion(_("A promotion needs a name."), field="name")
    if data.end_date < data.start_date:
        raise InvalidPromotion(_("The promotion ends before it starts."), field="endDate")
    if (data.item_id is None) == (data.category_id is None):
        raise InvalidPromotion(_("A promotion is for one item or one category."), field="itemId")
    if data.kind not in PromotionKind.values:
        raise InvalidPromotion(_("Unknown promotion type %(kind)r.") % {"kind": data.kind}, field="kind")
    if data.discount is not None and not Decimal(0) < data.discount <= Decimal(1):
        raise InvalidPromotion(_("The discount is a share between 0 and 1 (0.2 = 20% off)."), field="discount")
    if data.item_id is not None and not Item.objects.filter(pk=data.item_id).exists():
        raise InvalidPromotion(_("No such item."), field="itemId")
    if data.category_id is not None and not Category.objects.filter(pk=data.category_id).exists():
        raise InvalidPromotion(_("No such category."), field="categoryId")
    if Location.objects.filter(pk__in=data.location_ids).count() != len(set(data.location_ids)):
        raise InvalidPromotion(_("No such location."), field="locationIds")


@transaction.atomic
def save_promotion(data: PromotionInput, promotion_id: int | None = None) -> Promotion:
    """Create (no id) or replace a promotion's fields; typed errors, nothing half-written."""
    _check(data)
    if promotion_id is None:
        promotion = Promotion()
    else:
        found = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if found is None:
            raise InvalidPromotion(_("No such promotion."), field="id", code="NOT_FOUND")
        promotion = found
    promotion.name, promotion.kind = data.name.strip(), data.kind
    promotion.item_id, promotion.category_id = data.item_id, data.category_id
    promotion.start_date, promotion.end_date, promotion.discount = data.start_date, data.end_date, data.discount
    promotion.save()
    promotion.locations.set(sorted(set(data.location_ids)))
    return promotion


@transaction.atomic
def delete_promotion(promotion_id: int) -> None:
    deleted, _rows = Promotion.objects.filter(pk=promotion_id).delete()
    if not deleted:
        raise InvalidPromotion(_("No such promotion."), field="id", code="NOT_FOUND")
