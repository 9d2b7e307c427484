"""The Stripe catalog, synced from the module registry: one Product per module and one monthly Price per
module and currency. Idempotent: a second run changes nothing; a changed price gets a new Price that takes
over the lookup_key, and the old Price is deactivated (subscriptions already on it keep it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe

from billing.stripe_api import CURRENCIES, as_dict, client, lookup_key, product_id
from core.modules import ModuleConfig, registry


@dataclass
class CatalogReport:
    created_products: list[str] = field(default_factory=list)
    created_prices: list[str] = field(default_factory=list)  # lookup keys
    deactivated_prices: list[str] = field(default_factory=list)  # price ids

    @property
    def changed(self) -> bool:
        return bool(self.created_products or self.created_prices or self.deactivated_prices)


def unit_amount(cfg: ModuleConfig, currency: str) -> int:
    """The monthly price in the currency's minor unit (fen, cents)."""
    return cfg.monthly_price(currency) * 100


def _ensure_product(cfg: ModuleConfig, report: CatalogReport) -> str:
    pid = product_id(cfg.code)
    try:
        client().v1.products.retrieve(pid)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        client().v1.products.create(
            params={"id": pid, "name": f"{cfg.name_zh} / {cfg.name_en}", "metadata": {"module_code": cfg.code}}
        )
        report.created_products.append(pid)
    return pid


def _current_price(key: str) -> dict | None:
    prices = client().v1.prices.list(params={"lookup_keys": [key], "active": True, "limit": 10})
    return next((as_dict(price) for price in prices.data if price["lookup_key"] == key), None)


def _matches(price: dict, amount: int, currency: str) -> bool:
    recurring = price.get("recurring") or {}
    return (
        price.get("unit_amount") == amount
        and str(price.get("currency", "")).upper() == currency
        and recurring.get("interval") == "month"
    )


def _ensure_price(cfg: ModuleConfig, currency: str, pid: str, report: CatalogReport) -> None:
    key, amount = lookup_key(cfg.code, currency), unit_amount(cfg, currency)
    current = _current_price(key)
    if current is not None and _matches(current, amount, currency):
        return
    client().v1.prices.create(
        params={
            "product": pid,
            "currency": currency.lower(),
            "unit_amount": amount,
            "recurring": {"interval": "month"},
            "lookup_key": key,
            "transfer_lookup_key": True,
            "metadata": {"module_code": cfg.code},
        }
    )
    report.created_prices.append(key)
    if current is not None:
        client().v1.prices.update(current["id"], params={"active": False})
        report.deactivated_prices.append(current["id"])


def sync_catalog() -> CatalogReport:
    report = CatalogReport()
    for cfg in registry.all():
        pid = _ensure_product(cfg, report)
        for currency in CURRENCIES:
            _ensure_price(cfg, currency, pid, report)
    return report


def price_ids(codes: list[str], currency: str) -> dict[str, str]:
    """module code → the active Price id for it in `currency`; a missing Price is a configuration error."""
    keys = {lookup_key(code, currency): code for code in codes}
    prices = client().v1.prices.list(params={"lookup_keys": list(keys), "active": True, "limit": 100})
    found = {keys[price["lookup_key"]]: price["id"] for price in prices.data if price["lookup_key"] in keys}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise LookupError(f"No active Stripe price for {', '.join(missing)} in {currency}: run sync_stripe_catalog.")
    return found
