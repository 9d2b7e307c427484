"""Money as the company reads it: amounts in the company's currency, with its symbol (a USD company sees $)."""

from __future__ import annotations

from decimal import Decimal

from core.web.models import CompanySettings

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "JP¥"}


def company_currency() -> str:
    """The currency chosen at signup (CNY when none was recorded); read in the current tenant's schema."""
    return CompanySettings.objects.filter(pk=1).values_list("currency", flat=True).first() or "CNY"


def set_company_currency(currency: str) -> None:
    CompanySettings.objects.update_or_create(pk=1, defaults={"currency": currency.upper()})


def format_money(amount: Decimal | float | int | None, currency: str) -> str:
    if amount is None:
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    symbol = SYMBOLS.get(currency.upper(), currency.upper() + " ")
    return f"{'-' if value < 0 else ''}{symbol}{abs(value):,.2f}"
