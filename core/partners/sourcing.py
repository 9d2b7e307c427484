"""Sourcing rules (补货来源): where an item × location is replenished from; replenishment plans only these pairs.

Kept beside the suppliers the rules name; the model stays in core.planning."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.planning.models import SourcingRule

RULE_FIELDS = frozenset(
    {
        "supplier_id",
        "source_location_id",
        "review_period_days",
        "transfer_lead_time_days",
        "service_level",
        "unit_price",
        "active",
    }
)


@transaction.atomic
def set_sourcing_rule(item_id: int, location_id: int, *, pk: int | None = None, **fields: Any) -> SourcingRule:
    """Create (pk None) or edit the rule of one item × location: exactly one source, a supplier or a location."""
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    rule = SourcingRule.objects.select_for_update().get(pk=pk) if pk else SourcingRule()
    rule.item_id, rule.location_id = item_id, location_id
    for name, value in fields.items():
        setattr(rule, name, value)
    if bool(rule.supplier_id) == bool(rule.source_location_id):
        raise ValidationError({"supplier": _("Choose either a supplier or a source location, not both.")})
    if rule.source_location_id == location_id:
        raise ValidationError({"source_location": _("A location cannot be replenished from itself.")})
    if rule.service_level is not None and not Decimal("0.5") <= rule.service_level < Decimal("1"):
        raise ValidationError({"service_level": _("The service level is between 0.5 and 0.9999.")})
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as error:
        raise ValidationError({"item": _("This item already has a sourcing rule at this location; edit it instead.")}) from error
    return rule


def archive_sourcing_rule(pk: int) -> None:
    SourcingRule.objects.filter(pk=pk).update(active=False)
