"""The module registry: every product module (core and the verticals) declares itself with a ModuleConfig.

The root GraphQL schema, the pricing page, the rules center, navigation, the beat schedule, transition hooks,
outbox consumers, inventory-position sources, rule packs, model specs and the onboarding checklist are all
read from `registry`, so the core never imports a vertical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig, apps
from django.dispatch import Signal


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
    """A fine-tunable model a module ships, registered per tenant as `t<tenant id>.<module>.<kind>`.

    `kind` is "demand" (the module's demand model, fine-tuned on the tenant's demand history), "loss"
    (spoilage/waste) or "lead_time". `base_data` builds the base model's training data when called (no
    arguments; it must not touch tenant tables); `features` names the known-future and signal inputs the
    model reads; `profile` carries the synthetic generator's settings for the module's base series.
    """

    kind: str
    description: str = ""
    base_data: Callable[[], Any] | None = None
    features: tuple[str, ...] = ()
    profile: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


ModelSpec = MLSpec  # the contract's name; MLSpec stays for existing imports


@dataclass(frozen=True)
class PeriodicJob:
    """A job Celery beat runs on a schedule. `task` is the Celery task object itself (no dotted strings).

    `per_tenant=True` runs it once per tenant schema through `core.tasks.dispatch_to_tenants` (only for
    tenants entitled to the owning module); False runs it once in the public schema.
    `schedule` is seconds or a `celery.schedules.crontab`.
    """

    name: str
    task: Any
    schedule: Any
    per_tenant: bool = True


@dataclass(frozen=True)
class TransitionHookSpec:
    """A document-transition hook (see core/events/pipeline.py): returns True (handled), False (fall
    through) or raises ValidationError (veto). `subject_types` limits it to some documents."""

    fn: Callable[..., bool | None]
    subject_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PositionSourceSpec:
    """An inventory-position source (see core/inventory/position.py):
    `fn(item_ids, location_ids) -> {(item_id, location_id): Decimal}`, one query for many pairs."""

    name: str
    fn: Callable[[list[int], list[int]], Any]


@dataclass(frozen=True)
class LotHoldSpec:
    """A lot hold (质量冻结) the ledger honours on its pick and ship path (see core/inventory/holds.py):
    `fn(lot_ids) -> the held ones among them`, one query for many lots."""

    name: str
    fn: Callable[[list[int]], Any]


@dataclass(frozen=True)
class DeclaredJob:
    """A periodic job with the module that declared it (the beat schedule gates vertical jobs on it)."""

    module_code: str
    job: PeriodicJob


@dataclass(frozen=True)
class OnboardingStep:
    """One step of the dashboard's onboarding checklist. `is_done()` runs in the tenant's schema."""

    key: str
    label_zh: str
    label_en: str
    url_name: str
    is_done: Callable[[], bool]
    order: int = 100

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh


@dataclass(frozen=True)
class OnboardingProgress:
    """An onboarding step of one tenant, with whether the tenant has done it."""

    module_code: str
    step: OnboardingStep
    done: bool


# Sent when modules become usable for a tenant: at signup, on a local trial, or when Stripe's subscription state
# enables them; inside the entitlement's transaction, so receivers' writes commit with it. Arguments: `tenant`,
# `module_codes` (a tuple). billing sends it (billing.entitlements.announce_enabled) and never imports the
# receivers; core.rules loads the modules' rule packs on it.
modules_enabled = Signal()

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
    ml_specs: Sequence[MLSpec] = ()  # model specs: the demand model and, where it applies, loss / lead time
    periodic_jobs: Sequence[PeriodicJob] = ()
    transition_hooks: Sequence[TransitionHookSpec] = ()
    event_consumers: Sequence[Callable[..., object]] = ()  # outbox consumers: fn(DomainEvent), idempotent
    position_sources: Sequence[PositionSourceSpec] = ()
    lot_holds: Sequence[LotHoldSpec] = ()
    onboarding_steps: Sequence[OnboardingStep] = ()
    demo_data: Callable[..., None] | None = None  # builds the module's demo data in the current schema
    nav: Sequence[NavEntry] = ()
    # Pages: a module's `urls.py` (app_name = its label) is mounted at /<code>/ when it exists.

    def monthly_price(self, currency: str) -> int:
        """The whole monthly price in `currency` (one of CURRENCIES)."""
        return self.monthly_price_usd if currency.upper() == "USD" else self.monthly_price_cny

    def display_name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_zh


class DomainAppConfig(AppConfig):
    """A domain app inside a module (e.g. core.inventory). It contributes to its module what a ModuleConfig
    declares (GraphQL classes, periodic jobs, hooks, consumers, position sources, onboarding steps); set them
    in `ready()`, where the models are loaded."""

    module_code: str = "core"
    graphql_queries: Sequence[type] = ()
    graphql_mutations: Sequence[type] = ()
    periodic_jobs: Sequence[PeriodicJob] = ()
    transition_hooks: Sequence[TransitionHookSpec] = ()
    event_consumers: Sequence[Callable[..., object]] = ()
    position_sources: Sequence[PositionSourceSpec] = ()
    lot_holds: Sequence[LotHoldSpec] = ()
    onboarding_steps: Sequence[OnboardingStep] = ()


Contributor = ModuleConfig | DomainAppConfig


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

    # --- what the core reads from the modules ----------------------------------------------------------
    # Declarations are read when used (never copied at start-up), so a declaration set in any app's ready()
    # counts whatever the app order. Order: the modules (core first), then the domain apps in INSTALLED_APPS
    # order; hooks run in this order. Hooks, consumers and position sources run for every tenant (a vertical's
    # own tables are empty where it is off); one that acts on core documents checks the entitlement itself.
    # Periodic jobs of a vertical run only for tenants entitled to it (core/schedule.py).

    def contributors(self) -> list[tuple[str, Contributor]]:
        """(module code, config) for every module and every domain app, in declaration order."""
        result: list[tuple[str, Contributor]] = [(cfg.code, cfg) for cfg in self.all()]
        result += [(cfg.module_code, cfg) for cfg in apps.get_app_configs() if isinstance(cfg, DomainAppConfig)]
        return result

    def periodic_jobs(self) -> list[DeclaredJob]:
        return [DeclaredJob(code, job) for code, cfg in self.contributors() for job in cfg.periodic_jobs]

    def transition_hooks(self) -> list[TransitionHookSpec]:
        return [spec for _code, cfg in self.contributors() for spec in cfg.transition_hooks]

    def event_consumers(self) -> list[Callable[..., object]]:
        return [fn for _code, cfg in self.contributors() for fn in cfg.event_consumers]

    def position_sources(self) -> list[PositionSourceSpec]:
        return [spec for _code, cfg in self.contributors() for spec in cfg.position_sources]

    def lot_holds(self) -> list[LotHoldSpec]:
        return [spec for _code, cfg in self.contributors() for spec in cfg.lot_holds]

    def rule_pack(self, module_code: str) -> Sequence[dict[str, Any]]:
        """The module's rule pack; empty for an unknown module."""
        try:
            return self.get(module_code).rules
        except KeyError:
            return ()

    def model_spec(self, module_code: str, kind: str) -> MLSpec | None:
        """The model of `kind` ("demand", "loss", ...) that the module ships, or None."""
        try:
            specs = self.get(module_code).ml_specs
        except KeyError:
            return None
        return next((spec for spec in specs if spec.kind == kind), None)

    def model_spec_for_modules(self, module_codes: Iterable[str], kind: str = "demand") -> tuple[str, MLSpec] | None:
        """The spec a tenant with these modules uses: the first enabled vertical (in registry order) that ships
        one, else the core's; None when no enabled module ships a model of `kind`.

        A tenant's base model follows its modules: a food + retail tenant fine-tunes the food model, since
        verticals sort by code and the choice must not change between two nights."""
        enabled = set(module_codes)
        candidates = [cfg for cfg in self.sellable() if cfg.code in enabled] + [cfg for cfg in self.all() if cfg.always_on]
        for cfg in candidates:
            spec = self.model_spec(cfg.code, kind)
            if spec is not None:
                return cfg.code, spec
        return None

    def demand_spec(self, tenant: Any) -> tuple[str, MLSpec] | None:
        """(module code, spec) of the demand model a tenant's base model follows, from its enabled modules."""
        from billing.entitlements import enabled_modules

        return self.model_spec_for_modules(enabled_modules(tenant), "demand")

    def onboarding_steps(self, tenant: Any) -> list[OnboardingProgress]:
        """The core's and the tenant's enabled modules' onboarding steps, ordered, each with its done state.

        Runs in the tenant's schema (the `is_done` checks read its tables)."""
        from billing.entitlements import enabled_modules

        enabled = set(enabled_modules(tenant)) | set(self.always_on_codes())
        steps = [(code, step) for code, cfg in self.contributors() if code in enabled for step in cfg.onboarding_steps]
        steps.sort(key=lambda pair: pair[1].order)  # stable: equal orders keep the registry's order
        return [OnboardingProgress(code, step, bool(step.is_done())) for code, step in steps]


registry = ModuleRegistry()

CORE_MODULE = "core"
