"""Forms of the retail pages; the services validate again (and decide), the form only shapes input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locations.models import Warehouse
from verticals.retail.models import RetailStore
from verticals.retail.selectors import shop_stock_locations


class StoreCreateForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Store code"), max_length=40)
    name = forms.CharField(label=_("Store name"), max_length=200)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. daily 09:00–22:00")}),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Supplied from warehouse"), queryset=Warehouse.objects.filter(active=True), required=False
    )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        warehouse = data.get("warehouse")
        return {
            "code": data["code"],
            "name": data["name"],
            "address": data.get("address", ""),
            "opening_hours": data.get("opening_hours", ""),
            "warehouse_id": warehouse.pk if warehouse else None,
        }


class StoreEditForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=200)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    opening_hours = forms.CharField(
        label=_("Opening hours"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    stock_location = forms.ModelChoiceField(label=_("Sells from location"), queryset=shop_stock_locations())

    @classmethod
    def for_store(cls, retail_store: RetailStore, data: Any = None) -> StoreEditForm:
        initial = {
            "name": retail_store.store.name,
            "address": retail_store.store.address,
            "opening_hours": retail_store.opening_hours,
            "stock_location": retail_store.stock_location_id,
        }
        return cls(data, initial=initial)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "address": data.get("address", ""),
            "opening_hours": data.get("opening_hours", ""),
            "stock_location_id": data["stock_location"].pk,
        }
