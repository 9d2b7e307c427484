"""Forms of the cold-chain pages; the services validate again (and decide), the form only shapes input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locations.selectors import internal_locations


class SensorForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Sensor code"), max_length=60, help_text=_("The logger's id as it appears in its exports."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    location = forms.ModelChoiceField(label=_("Location"), queryset=internal_locations().order_by("code"))
    min_c = forms.DecimalField(label=_("Lowest allowed (°C)"), max_digits=5, decimal_places=2)
    max_c = forms.DecimalField(label=_("Highest allowed (°C)"), max_digits=5, decimal_places=2)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data.get("name", ""),
            "location_id": data["location"].pk,
            "min_c": data["min_c"],
            "max_c": data["max_c"],
        }


class ReadingsUploadForm(forms.Form):
    MAX_BYTES = 2 * 1024 * 1024

    export = forms.FileField(
        label=_("Logger export (CSV)"), help_text=_("Columns: sensor_code, recorded_at, temperature_c. UTF-8.")
    )

    def clean_export(self) -> str:
        upload = self.cleaned_data["export"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB: split it into several uploads."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from error
