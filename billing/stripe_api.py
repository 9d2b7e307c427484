"""The one StripeClient and the catalog's naming scheme.

Lookup keys: the module code is the lookup_key of its CNY price (DESIGN.md: "code is the Stripe price
lookup_key"); prices in any other currency append the lower-case currency, e.g. `retail` (CNY) and
`retail_usd` (USD). Products have fixed ids, `jxc_<code>`, so the catalog sync finds them without a search.
"""

from __future__ import annotations

from functools import lru_cache

import stripe
from django.conf import settings

from core.modules import CURRENCIES

HOME_CURRENCY = CURRENCIES[0]


def lookup_key(code: str, currency: str) -> str:
    currency = currency.upper()
    return code if currency == HOME_CURRENCY else f"{code}_{currency.lower()}"


def parse_lookup_key(key: str | None) -> tuple[str, str] | None:
    """(module code, currency) of one of our lookup keys; None for a price that is not ours."""
    if not key:
        return None
    for currency in CURRENCIES:
        suffix = f"_{currency.lower()}"
        if currency != HOME_CURRENCY and key.endswith(suffix):
            return key[: -len(suffix)], currency
    return key, HOME_CURRENCY


def product_id(code: str) -> str:
    return f"jxc_{code}"


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, retries: int) -> stripe.StripeClient:
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=base, max_network_retries=retries)  # type: ignore[arg-type]


def client() -> stripe.StripeClient:
    """The configured client; STRIPE_API_BASE points it at another address (localstripe in tests)."""
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_MAX_NETWORK_RETRIES)


def as_dict(obj: stripe.StripeObject) -> dict:
    """A response as plain nested dicts: SDK objects have no `.get`, and plain data is what we store and compare."""
    return obj.to_dict()
