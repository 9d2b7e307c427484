"""The module registry: every product module (core and the verticals) declares itself with a ModuleConfig.

The root GraphQL schema, the pricing page, the rules center, navigation and the training jobs are all
assembled from `registry`, so the core never imports a vertical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig, apps


@dataclass(frozen=True)
class NavEntry:
    """One link in the tenant web app's navigation."""

    url_name: str
    label_zh: str
    label_en: str
    icon: str = ""

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh


@dataclass(frozen=True)
class MLSpec:
    """A fine-tunable model a module ships, registered as `<schema>.<module>.<kind>`."""

    kind: str
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)


# The currencies modules are priced in (ModuleConfig.monthly_price_*); the first is the home currency.
CURRENCIES = ("CNY", "USD")


class ModuleConfig(AppConfig):
    """An AppConfig that is also a sellable product module.

    `code` is the entitlement key and the Stripe price `lookup_key`.
    """

    code: str = ""
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    always_on: bool = False  # the core module cannot be switched off
    monthly_price_cny: int = 0  # whole yuan; the Stripe catalog is synced from these
    monthly_price_usd: int = 0  # whole dollars
    graphql_queries: Sequence[type] = ()
    graphql_mutations: Sequence[type] = ()
    rules: Sequence[dict[str, Any]] = ()  # the rule pack, loaded when the module is enabled
    ml_specs: Sequence[MLSpec] = ()
    demo_data: Callable[..., None] | None = None  # builds the module's demo data in the current schema
    nav: Sequence[NavEntry] = ()

    def monthly_price(self, currency: str) -> int:
        """The whole monthly price in `currency` (one of CURRENCIES)."""
        return self.monthly_price_usd if currency.upper() == "USD" else self.monthly_price_cny

    def display_name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_zh


class DomainAppConfig(AppConfig):
    """A domain app inside a module (e.g. core.inventory). It contributes GraphQL classes to its module;
    set them in `ready()`, where the models are loaded."""

    module_code: str = "core"
    graphql_queries: Sequence[type] = ()
    graphql_mutations: Sequence[type] = ()


class ModuleRegistry:
    """Finds the installed ModuleConfigs; explicit, so tools can follow it."""

    def all(self) -> list[ModuleConfig]:
        modules = [cfg for cfg in apps.get_app_configs() if isinstance(cfg, ModuleConfig) and cfg.code]
        # core first, then the verticals in a stable order
        return sorted(modules, key=lambda cfg: (not cfg.always_on, cfg.code))

    def codes(self) -> list[str]:
        return [cfg.code for cfg in self.all()]

    def get(self, code: str) -> ModuleConfig:
        for cfg in self.all():
            if cfg.code == code:
                return cfg
        raise KeyError(code)

    def sellable(self) -> list[ModuleConfig]:
        return [cfg for cfg in self.all() if not cfg.always_on]

    def always_on_codes(self) -> list[str]:
        return [cfg.code for cfg in self.all() if cfg.always_on]

    def graphql_classes(self) -> list[tuple[str, Sequence[type], Sequence[type]]]:
        """(module code, query classes, mutation classes) for every module and domain app."""
        result: list[tuple[str, Sequence[type], Sequence[type]]] = [
            (cfg.code, cfg.graphql_queries, cfg.graphql_mutations) for cfg in self.all()
        ]
        for cfg in apps.get_app_configs():
            if isinstance(cfg, DomainAppConfig):
                result.append((cfg.module_code, cfg.graphql_queries, cfg.graphql_mutations))
        return result

    def module_of_app(self, app_label: str) -> str:
        """The module code that owns an app; core domain apps belong to the core module."""
        for cfg in self.all():
            if cfg.label == app_label:
                return cfg.code
        return "core"


registry = ModuleRegistry()

CORE_MODULE = "core"
