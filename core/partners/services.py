"""Partner state changes, including the learned supplier lead time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from core.input_limits import MAX_MONEY, MAX_QUANTITY, checked_days, checked_decimal
from core.partners.exceptions import DuplicatePartnerCode, InvalidLeadTime
from core.partners.models import Customer, Supplier

SUPPLIER_FIELDS = frozenset({"code", "name", "declared_lead_time_days", "moq", "currency", "active"})
CUSTOMER_FIELDS = frozenset({"code", "name", "tier", "credit_limit", "addresses", "tags", "active"})


def _create(model: type[Supplier] | type[Customer], allowed: frozenset[str], fields: dict[str, Any]) -> Any:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    if fields.get("declared_lead_time_days") is not None:
        checked_days(fields["declared_lead_time_days"], "declaredLeadTimeDays")
    if fields.get("moq") is not None:
        checked_decimal(fields["moq"], "moq", maximum=MAX_QUANTITY, minimum=Decimal(0))
    if fields.get("credit_limit") is not None:
        checked_decimal(fields["credit_limit"], "creditLimit", maximum=MAX_MONEY, minimum=Decimal(0))
    instance = model(**fields)
    instance.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise DuplicatePartnerCode(f"Code {instance.code} already exists.") from error
    return instance


def create_supplier(**fields: Any) -> Supplier:
    return _create(Supplier, SUPPLIER_FIELDS, fields)


def create_customer(**fields: Any) -> Customer:
    return _create(Customer, CUSTOMER_FIELDS, fields)


@transaction.atomic
def record_lead_time(supplier: Supplier | int, days: Decimal | int | float) -> Supplier:
    """Fold one observed lead time (order → receipt, in days) into the supplier's learned mean and std.

    Welford's update keeps the running mean and M2 exact without storing the samples; the row lock makes
    concurrent receipts from one supplier serialise instead of losing a sample.
    """
    value = Decimal(str(days))
    if value < 0:
        raise InvalidLeadTime("A lead time cannot be negative.")
    pk = supplier.pk if isinstance(supplier, Supplier) else supplier
    locked = Supplier.objects.select_for_update().get(pk=pk)
    count = locked.lead_time_samples + 1
    mean = locked.learned_lead_time_mean_days or Decimal("0")
    delta = value - mean
    mean = mean + delta / count
    m2 = locked.lead_time_m2 + delta * (value - mean)
    locked.lead_time_samples = count
    locked.learned_lead_time_mean_days = mean.quantize(Decimal("0.0001"))
    locked.lead_time_m2 = m2.quantize(Decimal("0.000001"))
    # Sample standard deviation; one observation says nothing about spread yet.
    locked.learned_lead_time_std_days = (m2 / (count - 1)).sqrt().quantize(Decimal("0.0001")) if count > 1 else None
    locked.save(update_fields=["lead_time_samples", "learned_lead_time_mean_days", "lead_time_m2", "learned_lead_time_std_days"])
    if isinstance(supplier, Supplier):
        supplier.refresh_from_db()
    return locked
