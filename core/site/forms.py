"""The signup form: every field checked here first, so errors show inline before anything is provisioned."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.modules import CURRENCIES, registry
from core.site.services import SignupRequest
from tenants.services import validate_slug

LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("en", "English")]


def slug_error_message(code: str | None, slug: str) -> str:
    """The translated reason a subdomain cannot be used, from tenants.services.validate_slug's error code."""
    messages = {
        "required": _("Choose a subdomain."),
        "length": _("A subdomain has 3 to 30 characters."),
        "invalid": _("Use lowercase letters, digits and single hyphens; start with a letter and end with a letter or digit."),
        "reserved": _("“%(slug)s” is reserved.") % {"slug": slug},
        "taken": _("“%(slug)s” is already taken.") % {"slug": slug},
    }
    return str(messages.get(code or "", _("This subdomain cannot be used.")))


def check_slug(raw: str) -> tuple[str, str | None]:
    """(normalised slug, None) when free, else (slug as typed, the problem's code: length, taken, ...)."""
    slug = (raw or "").strip().lower()
    try:
        return validate_slug(slug), None
    except ValidationError as error:
        codes = [e.code for e in error.error_dict.get("slug", [])]
        return slug, (codes[0] if codes else None) or "invalid"


class SignupForm(forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Subdomain"),
        max_length=30,
        help_text=_("Lowercase letters, digits and hyphens; your address will be <subdomain>.%(domain)s"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    modules = forms.MultipleChoiceField(label=_("Modules"), required=False, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    currency = forms.ChoiceField(label=_("Billing currency"), choices=[(c, c) for c in CURRENCIES])
    sample_data = forms.BooleanField(label=_("Start with sample data"), required=False)

    def __init__(self, *args: Any, language: str = "zh-hans", base_domain: str = "localhost", **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # no ASCII colon after Chinese labels
        super().__init__(*args, **kwargs)
        modules = self.fields["modules"]
        assert isinstance(modules, forms.MultipleChoiceField)
        modules.choices = [(cfg.code, cfg.display_name(language)) for cfg in registry.sellable()]
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}
        if not self.is_bound:
            self.initial.setdefault("language", "en" if language.startswith("en") else "zh-hans")
            self.initial.setdefault("currency", "USD" if language.startswith("en") else "CNY")

    def clean_company(self) -> str:
        company = self.cleaned_data["company"].strip()
        if not company:
            raise ValidationError(_("Enter the company name."), code="required")
        return company

    def clean_slug(self) -> str:
        slug, problem = check_slug(self.cleaned_data["slug"])
        if problem:
            raise ValidationError(slug_error_message(problem, slug), code=problem)
        return slug

    def only_slug_taken(self) -> bool:
        """Invalid only because the subdomain exists: maybe this very form, submitted twice."""
        return set(self.errors) == {"slug"} and self.has_error("slug", "taken")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, email = cleaned.get("password"), cleaned.get("email")
        if password:
            from tenants.accounts.models import User

            try:
                validate_password(password, user=User(email=(email or "").lower()))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def signup_request(self) -> SignupRequest:
        data = self.cleaned_data
        return SignupRequest(
            company=data["company"],
            # The raw slug when only "taken" failed: the repeated-submit check looks the tenant up by it.
            slug=data.get("slug") or str(self.data.get("slug", "")).strip().lower(),
            email=data["email"].strip().lower(),
            password=data["password"],
            modules=tuple(data["modules"]),
            language=data["language"],
            currency=data["currency"],
            sample_data=data["sample_data"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Errors provision_tenant found (a race for the slug, mostly) shown on the matching field."""
        field_of = {"name": "company", "owner_email": "email", "slug": "slug", "password": "password", "modules": "modules"}
        for key, errors in getattr(error, "error_dict", {"__all__": error.error_list}).items():
            field = field_of.get(key)
            for item in errors:
                message = slug_error_message(item.code, self.data.get("slug", "")) if field == "slug" else item
                self.add_error(field if field in self.fields else None, message)
