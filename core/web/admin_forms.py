"""Forms of the administration pages (users, API keys, webhook endpoints): shape input only; who may do
what, uniqueness and the last-owner rule live in the services (tenants.accounts, core.events)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.modules import registry
from tenants.accounts.models import ApiKeyScope
from tenants.accounts.roles import Role

ROLE_LABELS: dict[str, Promise] = {
    Role.OWNER.value: _("Owner"),
    Role.ADMIN.value: _("Admin"),
    Role.MANAGER.value: _("Manager"),
    Role.CLERK.value: _("Clerk"),
    Role.VIEWER.value: _("Viewer"),
}
SCOPE_LABELS: dict[str, Promise] = {ApiKeyScope.READ.value: _("Read"), ApiKeyScope.READ_WRITE.value: _("Read & write")}

# The services' error codes, in the reader's language (their own text is English, kept for support).
ACCOUNT_ERRORS: dict[str, Promise] = {
    "unique": _("Already in use."),
    "last_owner": _("The company needs at least one active owner."),
    "permission_denied": _("Your role does not allow this."),
    "password_too_short": _("The password is too short (at least 10 characters)."),
    "password_too_common": _("This password is too common."),
    "password_entirely_numeric": _("The password cannot be only digits."),
    "password_too_similar": _("The password is too similar to the email or name."),
}


def role_choices() -> list[tuple[str, Promise]]:
    return [(role.value, ROLE_LABELS[role.value]) for role in Role]


def reader_messages(error: ValidationError) -> list[str]:
    """Each message of a service's ValidationError, translated by its code where we know the code."""
    parts = error.error_list if not hasattr(error, "error_dict") else [e for errs in error.error_dict.values() for e in errs]
    return [str(ACCOUNT_ERRORS[e.code]) if e.code in ACCOUNT_ERRORS else " ".join(e.messages) for e in parts]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields (translated by code), the rest on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, reader_messages(error))
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        form.add_error(target, reader_messages(ValidationError(errors)))


class UserCreateForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    password = forms.CharField(
        label=_("Temporary password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once, to pass on to the person."),
    )
    invite = forms.BooleanField(
        label=_("Email an invitation instead"),
        required=False,
        help_text=_("The person gets a link to choose their own password; no password is shown here."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite") and data.get("password"):
            self.add_error("password", _("Leave the password empty when sending an invitation."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=lambda: list(SCOPE_LABELS.items()), initial=ApiKeyScope.READ.value)
    modules = forms.MultipleChoiceField(
        label=_("Modules"),
        required=False,
        choices=lambda: [(cfg.code, cfg.name_zh if _language_is_zh() else cfg.name_en) for cfg in registry.all()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every module the company has."),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    event_types = forms.CharField(
        label=_("Event types"),
        required=False,
        help_text=_("Comma-separated, e.g. purchase_order.*, sales_order.shipped; empty: every event."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def clean_event_types(self) -> list[str]:
        raw: str = self.cleaned_data.get("event_types") or ""
        return [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]


def _language_is_zh() -> bool:
    from django.utils import translation

    return not (translation.get_language() or "zh-hans").startswith("en")


def module_label(code: str) -> str:
    """The module's name in the active language; the bare code for a module no longer installed."""
    try:
        cfg: Any = registry.get(code)
    except KeyError:
        return code
    return str(cfg.name_zh if _language_is_zh() else cfg.name_en)
