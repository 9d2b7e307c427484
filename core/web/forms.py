"""Web forms: parse and shape input only; every rule about the business lives in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.catalog.models import Category, CostMethod, Item, RemovalStrategy, Unit
from core.catalog.selectors import item_by_barcode
from core.locations.models import Location, LocationKind
from core.partners.models import Customer, Supplier

IMPORT_KINDS = (
    ("items", _("Items")),
    ("suppliers", _("Suppliers")),
    ("customers", _("Customers")),
    ("opening_stock", _("Opening stock")),
)


def internal_locations() -> Any:
    return Location.objects.filter(kind=LocationKind.INTERNAL, active=True).order_by("code")


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.code} · {obj.name}"


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class ItemCodeField(forms.CharField):
    """A scan box: a barcode or SKU scanned or typed, or the item's name (or a unique part of it)."""

    def clean(self, value: Any) -> Item | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        item = Item.objects.filter(sku=text).first() or item_by_barcode(text) or item_by_name(text)
        if item is None:
            raise forms.ValidationError(
                _("No item with SKU, barcode or name “%(code)s”."), params={"code": text}, code="unknown_item"
            )
        return item


def item_by_name(text: str) -> Item | None:
    """The active item named exactly `text`, else the only one whose name contains it; several → an error."""
    active = Item.objects.filter(active=True)
    exact = list(active.filter(Q(name_zh=text) | Q(name_en__iexact=text))[:2])
    if len(exact) == 1:
        return exact[0]
    matches = list(active.filter(Q(name_zh__icontains=text) | Q(name_en__icontains=text)).order_by("sku")[:6])
    if len(matches) > 1:
        raise forms.ValidationError(
            _("Several items match “%(text)s”: %(skus)s. Type more of the name or the SKU."),
            params={"text": text, "skus": ", ".join(m.sku for m in matches[:5])},
            code="ambiguous_item",
        )
    return matches[0] if matches else None


class TokenForm(forms.Form):
    """Carries the one-shot token that makes a double submit harmless."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)


class ItemForm(TokenForm):
    """Every field of the item: a new company fills it in without importing anything first."""

    sku = forms.CharField(label=_("SKU"), max_length=64, widget=forms.TextInput(attrs={"autofocus": True}))
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    base_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(active=True).order_by("code"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("name"), required=False)
    barcodes = forms.CharField(label=_("Barcodes"), required=False, help_text=_("Separate several with spaces."))
    lot_tracked = forms.BooleanField(label=_("Lot tracked"), required=False)
    shelf_life_days = forms.IntegerField(label=_("Shelf life (days)"), required=False, min_value=1)
    removal_strategy = forms.ChoiceField(
        label=_("Picking order"), choices=[(c.value, _(c.label)) for c in RemovalStrategy], initial=RemovalStrategy.FIFO
    )
    cost_method = forms.ChoiceField(
        label=_("Costing"), choices=[(c.value, _(c.label)) for c in CostMethod], initial=CostMethod.MOVING_AVERAGE
    )
    pack_size = forms.DecimalField(label=_("Pack size"), min_value=Decimal("0.0001"), initial=1, max_digits=18, decimal_places=4)
    moq = forms.DecimalField(label=_("Minimum order"), min_value=0, initial=0, max_digits=18, decimal_places=4)
    abc_class = forms.ChoiceField(label=_("ABC class"), choices=[("", "–"), ("A", "A"), ("B", "B"), ("C", "C")], required=False)
    xyz_class = forms.ChoiceField(label=_("XYZ class"), choices=[("", "–"), ("X", "X"), ("Y", "Y"), ("Z", "Z")], required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("removal_strategy") == RemovalStrategy.FEFO and not data.get("lot_tracked"):
            self.add_error("removal_strategy", _("First expired, first out needs lot tracking (expiry dates live on lots)."))
        return data

    @staticmethod
    def initial_for(item: Item) -> dict[str, Any]:
        initial = {name: getattr(item, name) for name in ITEM_FORM_FIELDS}
        return {**initial, "base_unit": item.base_unit_id, "category": item.category_id, "barcodes": " ".join(item.barcodes)}

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ITEM_FORM_FIELDS},
            "sku": data["sku"].strip(),
            "name_zh": data["name_zh"].strip(),
            "name_en": data["name_en"].strip(),
            "base_unit_id": data["base_unit"].pk,
            "category_id": data["category"].pk if data.get("category") else None,
            "barcodes": data["barcodes"].split(),
        }


ITEM_FORM_FIELDS = (
    "sku", "name_zh", "name_en", "lot_tracked", "shelf_life_days", "removal_strategy", "cost_method",
    "pack_size", "moq", "abc_class", "xyz_class", "active",
)  # fmt: skip


class OrderLineForm(forms.Form):
    item = ItemCodeField(label=_("Item (scan, SKU or name)"), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=18, decimal_places=4)
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, max_digits=18, decimal_places=4)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") is not None and not data.get("quantity"):
            self.add_error("quantity", _("Enter a quantity."))
        return data


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=5, max_num=50)


def filled_lines(formset: Any) -> list[dict[str, Any]]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get("item") is not None]


class PurchaseOrderForm(TokenForm):
    supplier = PartnerChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(active=True).order_by("code"))
    destination = LocationChoiceField(label=_("Receive into"), queryset=internal_locations())
    urgent = forms.BooleanField(label=_("Urgent purchase"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SalesOrderForm(TokenForm):
    customer = PartnerChoiceField(label=_("Customer"), queryset=Customer.objects.filter(active=True).order_by("code"))
    source = LocationChoiceField(label=_("Ship from"), queryset=internal_locations())
    shipping_address = forms.CharField(label=_("Shipping address"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(TokenForm):
    from_location = LocationChoiceField(label=_("From"), queryset=internal_locations())
    to_location = LocationChoiceField(label=_("To"), queryset=internal_locations())
    notes = forms.CharField(label=_("Notes"), required=False)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=100)
    eta = forms.DateTimeField(label=_("ETA"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CountForm(TokenForm):
    location = LocationChoiceField(label=_("Location"), queryset=internal_locations())
    notes = forms.CharField(label=_("Notes"), required=False)


class ImportForm(TokenForm):
    kind = forms.ChoiceField(label=_("What to import"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("File (.csv or .xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


def decimal_or_none(raw: str | None) -> Decimal | None:
    """A per-line quantity typed into a table: blank is 'not entered', anything else must be a number."""
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        raise forms.ValidationError(_("“%(value)s” is not a number."), params={"value": text}, code="invalid") from None


class ThrottledAuthenticationForm(AuthenticationForm):
    """The sign-in form, with failed attempts counted per account and per address (tenants/accounts/throttle.py).

    A locked account or address is refused before the password is checked, with the wait in the reader's
    language; the message is the same whether or not the account exists.
    """

    def clean(self) -> dict[str, Any]:
        from tenants.accounts import throttle

        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request is not None else ""
        wait = throttle.locked_for(username, address)
        if wait is not None:
            minutes = max(1, -(-wait // 60))
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.record_success(username)
        return cleaned
