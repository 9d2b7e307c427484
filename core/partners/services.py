"""Partner state changes, including the learned supplier lead time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.input_limits import MAX_MONEY, MAX_QUANTITY, checked_days, checked_decimal
from core.partners.exceptions import DuplicatePartnerCode, DuplicateSupplierTerms, InvalidLeadTime
from core.partners.models import Customer, Supplier, SupplierItem

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
        raise DuplicatePartnerCode(_("The code “%(code)s” is already in use.") % {"code": instance.code}) from error
    return instance


@transaction.atomic
def update_partner(model: type[Supplier] | type[Customer], pk: int, **fields: Any) -> Any:
    """Edit a supplier or customer: the same fields and checks as on create."""
    allowed = SUPPLIER_FIELDS if model is Supplier else CUSTOMER_FIELDS
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    instance = model.objects.select_for_update().get(pk=pk)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise DuplicatePartnerCode(_("The code “%(code)s” is already in use.") % {"code": instance.code}) from error
    return instance


def archive_partner(model: type[Supplier] | type[Customer], pk: int) -> None:
    """Archived partners stay on their old documents and drop off new forms."""
    model.objects.filter(pk=pk).update(active=False)


TERMS_FIELDS = frozenset({"supplier_sku", "unit_price", "moq", "pack_size", "lead_time_days", "active"})


@transaction.atomic
def set_supplier_terms(supplier_id: int, item_id: int, *, pk: int | None = None, **fields: Any) -> SupplierItem:
    """Create (pk None) or edit one supplier × item's terms; one row per pair."""
    unknown = set(fields) - TERMS_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    terms = SupplierItem.objects.select_for_update().get(pk=pk) if pk else SupplierItem()
    terms.supplier_id, terms.item_id = supplier_id, item_id
    for name, value in fields.items():
        setattr(terms, name, value)
    terms.full_clean(exclude=["supplier", "item"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            terms.save()
    except IntegrityError as error:
        raise DuplicateSupplierTerms(_("This supplier already has terms for this item; edit them instead.")) from error
    return terms


def archive_supplier_terms(pk: int) -> None:
    SupplierItem.objects.filter(pk=pk).update(active=False)


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
