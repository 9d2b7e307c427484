"""Context roots the core documents give their rules: the sales order's customer, the purchase order's supplier.

The roots load lazily, so a transition with no rule asking about the customer costs no extra query. The customer
is exposed as plain values because the partners model spells its tiers in lower case ("vip") while the rule
catalog's enum says "VIP"; the mapping lives here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.db import models

from core.rules.transitions import register_context_provider

_TIER_TO_CATALOG = {"vip": "VIP"}


class LazyRoot(Mapping[str, Any]):
    """A context root whose values are read from the database the first time a rule asks for one."""

    def __init__(self, load: Callable[[], dict[str, Any]]) -> None:
        self._load = load
        self._values: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        if self._values is None:
            self._values = self._load()
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


def _customer_values(order: models.Model) -> dict[str, Any]:
    customer = getattr(order, "customer", None)
    if customer is None:
        return {}
    return {
        "tier": _TIER_TO_CATALOG.get(customer.tier, customer.tier),
        "name": customer.name,
        "credit_limit": customer.credit_limit,
    }


def _supplier_values(order: models.Model) -> dict[str, Any]:
    supplier = getattr(order, "supplier", None)
    return {"name": supplier.name} if supplier is not None else {}


def customer_context(order: models.Model) -> dict[str, Any]:
    return {"customer": LazyRoot(lambda: _customer_values(order))}


def supplier_context(order: models.Model) -> dict[str, Any]:
    return {"supplier": LazyRoot(lambda: _supplier_values(order))}


def register_core_context_providers() -> None:
    register_context_provider("sales_order", customer_context)
    register_context_provider("purchase_order", supplier_context)
