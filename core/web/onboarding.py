"""The dashboard's onboarding checklist: the steps of the core and every enabled module, with progress.

Reads `ModuleConfig.onboarding_steps` through the registry. # contract: the registry helper adds
`registry.onboarding_steps(tenant)`; until it is merged this small reader does the same (the coordinator
keeps one of the two).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.modules import OnboardingStep, registry


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: str
    url: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[ChecklistStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.steps)) if self.steps else 100


def enabled_steps(tenant: object) -> list[OnboardingStep]:
    """The steps of the core and of the modules the tenant may use, by `order`; a key counts once."""
    reader = getattr(registry, "onboarding_steps", None)
    if callable(reader):
        return list(reader(tenant))
    from billing.entitlements import module_access

    access = module_access(tenant)  # type: ignore[arg-type]
    steps: dict[str, OnboardingStep] = {}
    for cfg in registry.all():
        if cfg.always_on or (cfg.code in access and access[cfg.code].readable):
            for step in cfg.onboarding_steps:
                steps.setdefault(step.key, step)
    return sorted(steps.values(), key=lambda step: (step.order, step.key))


def checklist(tenant: object, language: str) -> Checklist:
    steps = []
    for step in enabled_steps(tenant):
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            url = "#"
        steps.append(ChecklistStep(step.key, step.label(language), url, bool(step.is_done())))
    return Checklist(steps)
