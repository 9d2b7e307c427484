"""One page pattern for every kind of master data (主数据): list, create, edit, archive, CSV import and export.

A kind is a `MasterKind`: its model, the columns of the list, an archive service and a form. The form is
the only place that knows the fields: it parses the web form and each CSV row the same way, and saves
through the domain services (`save(pk)`; `existing_pk()` finds the row a CSV line updates). Export writes
the form's field names as the header, so an exported file imports back unchanged; the import also takes
the field labels in Chinese or English as headers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.catalog import services as catalog
from core.catalog.models import Item, Unit, UnitConversion
from core.locations import services as locations
from core.locations.models import Location, LocationKind, Warehouse
from core.partners import services as partners
from core.partners import sourcing
from core.partners.models import Customer, CustomerTier, Supplier, SupplierItem
from core.planning.models import SourcingRule
from core.web.money import company_currency


def _code(value: Any) -> str:
    return str(value or "").strip()


class CodeChoiceField(forms.ModelChoiceField):
    """A foreign key picked (and written in CSV files) by its business code, shown as "code · name"."""

    def __init__(self, queryset: QuerySet[Any], code_field: str = "code", **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", code_field)
        super().__init__(queryset, **kwargs)
        self.code_field = code_field

    def label_from_instance(self, obj: Any) -> str:
        name = getattr(obj, "name", None) or getattr(obj, "name_zh", "")
        return f"{getattr(obj, self.code_field)} · {name}"


class MasterForm(forms.Form):
    """Base of every master-data form: `save(pk)` through the services, `initial_for(obj)` for edit and export."""

    def save(self, pk: int | None) -> Model:
        raise NotImplementedError

    def existing_pk(self) -> int | None:
        """The row a CSV line with these values updates (same code), or None to create one."""
        return None

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, form_field in cls.base_fields.items():
            value = getattr(obj, name, None)
            if isinstance(form_field, CodeChoiceField):
                value = getattr(value, form_field.code_field, "") if value is not None else ""
            initial[name] = "" if value is None else value
        return initial


class UnitForm(MasterForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60)

    def save(self, pk: int | None) -> Model:
        data = self.cleaned_data
        if pk is None:
            return catalog.create_unit(data["code"], data["name"])
        return catalog.update_unit(pk, code=data["code"], name=data["name"])

    def existing_pk(self) -> int | None:
        return Unit.objects.filter(code=_code(self.cleaned_data["code"])).values_list("pk", flat=True).first()


class ConversionForm(MasterForm):
    item = CodeChoiceField(Item.objects.filter(active=True).order_by("sku"), code_field="sku", label=_("Item"))
    unit = CodeChoiceField(Unit.objects.filter(active=True), label=_("Unit"), help_text=_("e.g. case"))
    factor = forms.DecimalField(label=_("Holds"), min_value=0, max_digits=18, decimal_places=6)
    to_unit = CodeChoiceField(
        Unit.objects.filter(active=True),
        label=_("Of unit"),
        required=False,
        help_text=_("Empty: the item's base unit. 1 case = 12 bottles: unit case, holds 12, of unit bottle."),
    )

    def save(self, pk: int | None) -> Model:
        data = self.cleaned_data
        to_unit = data.get("to_unit")
        return catalog.set_unit_conversion(data["item"].pk, data["unit"].pk, data["factor"], to_unit.pk if to_unit else None)

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        via = obj.via_unit
        factor = obj.factor
        if via is not None:
            via_factor = UnitConversion.objects.filter(item=obj.item, unit=via).values_list("factor", flat=True).first()
            factor = factor / via_factor if via_factor else factor
        return {"item": obj.item.sku, "unit": obj.unit.code, "factor": factor.normalize(), "to_unit": via.code if via else ""}


class WarehouseForm(MasterForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), required=False)

    def save(self, pk: int | None) -> Model:
        data = self.cleaned_data
        if pk is None:
            return locations.create_warehouse(data["code"], data["name"], address=data["address"])
        return locations.update_warehouse(pk, code=data["code"], name=data["name"], address=data["address"])

    def existing_pk(self) -> int | None:
        return Warehouse.objects.filter(code=_code(self.cleaned_data["code"])).values_list("pk", flat=True).first()


def stock_locations() -> QuerySet[Location]:
    return Location.objects.filter(kind=LocationKind.INTERNAL, active=True).order_by("code")


class LocationForm(MasterForm):
    code = forms.CharField(label=_("Code"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=200)
    warehouse = CodeChoiceField(Warehouse.objects.filter(active=True), label=_("Warehouse"), required=False)
    parent = CodeChoiceField(
        stock_locations(), label=_("Inside location"), required=False, help_text=_("Set it to make a bin inside a location.")
    )

    def save(self, pk: int | None) -> Model:
        data = self.cleaned_data
        warehouse = data.get("warehouse") or (data["parent"].warehouse if data.get("parent") else None)
        warehouse_id: int | None = warehouse.pk if warehouse else None
        parent_id: int | None = data["parent"].pk if data.get("parent") else None
        if pk is None:
            return locations.create_location(data["code"], data["name"], warehouse_id=warehouse_id, parent_id=parent_id)
        return locations.update_location(pk, code=data["code"], name=data["name"], warehouse_id=warehouse_id, parent_id=parent_id)

    def existing_pk(self) -> int | None:
        return Location.objects.filter(code=_code(self.cleaned_data["code"])).values_list("pk", flat=True).first()


class SupplierForm(MasterForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    declared_lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, initial=7)
    moq = forms.DecimalField(label=_("Minimum order"), min_value=0, initial=0, max_digits=18, decimal_places=4)
    currency = forms.ChoiceField(label=_("Currency"), choices=[("CNY", "CNY"), ("USD", "USD"), ("EUR", "EUR")], initial="CNY")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = company_currency()  # a USD company buys in USD unless told otherwise

    def save(self, pk: int | None) -> Model:
        if pk is None:
            return partners.create_supplier(**self.cleaned_data)
        return partners.update_partner(Supplier, pk, **self.cleaned_data)

    def existing_pk(self) -> int | None:
        return Supplier.objects.filter(code=_code(self.cleaned_data["code"])).values_list("pk", flat=True).first()


class CustomerForm(MasterForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[(c.value, _(c.label)) for c in CustomerTier], initial=CustomerTier.STANDARD
    )
    credit_limit = forms.DecimalField(label=_("Credit limit"), min_value=0, initial=0, max_digits=18, decimal_places=2)

    def save(self, pk: int | None) -> Model:
        if pk is None:
            return partners.create_customer(**self.cleaned_data)
        return partners.update_partner(Customer, pk, **self.cleaned_data)

    def existing_pk(self) -> int | None:
        return Customer.objects.filter(code=_code(self.cleaned_data["code"])).values_list("pk", flat=True).first()


class SupplierTermsForm(MasterForm):
    supplier = CodeChoiceField(Supplier.objects.filter(active=True), label=_("Supplier"))
    item = CodeChoiceField(Item.objects.filter(active=True).order_by("sku"), code_field="sku", label=_("Item"))
    supplier_sku = forms.CharField(label=_("Supplier's SKU"), max_length=64, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, initial=0, max_digits=18, decimal_places=4)
    moq = forms.DecimalField(label=_("Minimum order"), min_value=0, initial=0, max_digits=18, decimal_places=4)
    pack_size = forms.DecimalField(label=_("Pack size"), min_value=0.0001, initial=1, max_digits=18, decimal_places=4)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, required=False)

    def save(self, pk: int | None) -> Model:
        data = dict(self.cleaned_data)
        supplier, item = data.pop("supplier"), data.pop("item")
        return partners.set_supplier_terms(supplier.pk, item.pk, pk=pk, **data)

    def existing_pk(self) -> int | None:
        data = self.cleaned_data
        return SupplierItem.objects.filter(supplier=data["supplier"], item=data["item"]).values_list("pk", flat=True).first()


class SourcingRuleForm(MasterForm):
    item = CodeChoiceField(Item.objects.filter(active=True).order_by("sku"), code_field="sku", label=_("Item"))
    location = CodeChoiceField(stock_locations(), label=_("Location"))
    supplier = CodeChoiceField(Supplier.objects.filter(active=True), label=_("Supplier"), required=False)
    source_location = CodeChoiceField(
        stock_locations(), label=_("Or transfer from"), required=False, help_text=_("Choose a supplier or a source location.")
    )
    review_period_days = forms.IntegerField(label=_("Review every (days)"), min_value=1, initial=7)
    service_level = forms.DecimalField(
        label=_("Service level"), min_value=0.5, max_value=0.9999, required=False, decimal_places=4
    )
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, initial=0, max_digits=18, decimal_places=4)

    def save(self, pk: int | None) -> Model:
        data = self.cleaned_data
        return sourcing.set_sourcing_rule(
            data["item"].pk,
            data["location"].pk,
            pk=pk,
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            source_location_id=data["source_location"].pk if data.get("source_location") else None,
            review_period_days=data["review_period_days"],
            service_level=data.get("service_level"),
            unit_price=data["unit_price"],
        )

    def existing_pk(self) -> int | None:
        data = self.cleaned_data
        return SourcingRule.objects.filter(item=data["item"], location=data["location"]).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class MasterKind:
    key: str  # the URL segment: /master/<key>/
    api_name: str  # GraphQL: save<api_name>, archive<api_name>, record ids of this type
    title: Promise
    model: type[Model]
    form: type[MasterForm]
    columns: Sequence[tuple[str, Promise]]  # (attribute path with __ for relations, header)
    archive: Callable[[int], object]
    search_fields: Sequence[str] = ("code", "name")
    base_filter: Q = field(default_factory=Q)
    select: Sequence[str] = ()
    has_active: bool = True  # False: archiving removes the row (conversions)

    def queryset(self, *, archived: bool = False, search: str = "") -> QuerySet[Any]:
        rows = self.model._default_manager.filter(self.base_filter).select_related(*self.select)
        if self.has_active:
            rows = rows.filter(active=not archived)
        if search:
            query = Q()
            for name in self.search_fields:
                query |= Q(**{f"{name}__icontains": search})
            rows = rows.filter(query)
        return rows.order_by(*(self.model._meta.ordering or ["pk"]))


KINDS: dict[str, MasterKind] = {
    kind.key: kind
    for kind in (
        MasterKind("units", "Unit", _("Units"), Unit, UnitForm, [("code", _("Code")), ("name", _("Name"))], catalog.archive_unit),
        MasterKind(
            "conversions",
            "UnitConversion",
            _("Unit conversions"),
            UnitConversion,
            ConversionForm,
            [
                ("item__sku", _("Item")),
                ("unit__code", _("Unit")),
                ("factor", _("Base units")),
                ("item__base_unit__code", _("Base unit")),
            ],
            lambda pk: catalog.remove_unit_conversion(pk),
            search_fields=("item__sku", "item__name_zh", "unit__code"),
            select=("item", "unit", "item__base_unit", "via_unit"),
            has_active=False,
        ),
        MasterKind(
            "warehouses",
            "Warehouse",
            _("Warehouses"),
            Warehouse,
            WarehouseForm,
            [("code", _("Code")), ("name", _("Name")), ("address", _("Address"))],
            locations.archive_warehouse,
        ),
        MasterKind(
            "locations",
            "Location",
            _("Locations and bins"),
            Location,
            LocationForm,
            [
                ("code", _("Code")),
                ("name", _("Name")),
                ("warehouse__code", _("Warehouse")),
                ("parent__code", _("Inside location")),
            ],
            locations.archive_location,
            base_filter=Q(kind=LocationKind.INTERNAL),
            select=("warehouse", "parent"),
        ),
        MasterKind(
            "suppliers",
            "Supplier",
            _("Suppliers"),
            Supplier,
            SupplierForm,
            [
                ("code", _("Code")),
                ("name", _("Name")),
                ("declared_lead_time_days", _("Lead time (days)")),
                ("currency", _("Currency")),
            ],
            lambda pk: partners.archive_partner(Supplier, pk),
        ),
        MasterKind(
            "customers",
            "Customer",
            _("Customers"),
            Customer,
            CustomerForm,
            [("code", _("Code")), ("name", _("Name")), ("tier", _("Tier")), ("credit_limit", _("Credit limit"))],
            lambda pk: partners.archive_partner(Customer, pk),
        ),
        MasterKind(
            "supplier-terms",
            "SupplierTerms",
            _("Supplier terms"),
            SupplierItem,
            SupplierTermsForm,
            [
                ("supplier__code", _("Supplier")),
                ("item__sku", _("Item")),
                ("unit_price", _("Unit price")),
                ("moq", _("Minimum order")),
                ("pack_size", _("Pack size")),
                ("lead_time_days", _("Lead time (days)")),
            ],
            partners.archive_supplier_terms,
            search_fields=("supplier__code", "supplier__name", "item__sku", "item__name_zh"),
            select=("supplier", "item"),
        ),
        MasterKind(
            "sourcing",
            "SourcingRule",
            _("Sourcing rules"),
            SourcingRule,
            SourcingRuleForm,
            [
                ("item__sku", _("Item")),
                ("location__code", _("Location")),
                ("supplier__code", _("Supplier")),
                ("source_location__code", _("Or transfer from")),
                ("review_period_days", _("Review every (days)")),
            ],
            sourcing.archive_sourcing_rule,
            search_fields=("item__sku", "item__name_zh", "location__code", "supplier__code"),
            select=("item", "location", "supplier", "source_location"),
        ),
    )
}


def cell(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value
