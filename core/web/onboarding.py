"""The dashboard's onboarding checklist: the steps of the core and every enabled module, with progress.

Reads `ModuleConfig.onboarding_steps` through `registry.onboarding_steps(tenant)`, which orders the steps and
reads each one's done state in the tenant's schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.modules import registry
from tenants.models import Tenant


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


def checklist(tenant: Tenant, language: str) -> Checklist:
    """The core's and the enabled modules' steps (`registry.onboarding_steps`), with links and done states."""
    steps = []
    for progress in registry.onboarding_steps(tenant):
        step = progress.step
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            url = "#"
        steps.append(ChecklistStep(step.key, step.label(language), url, progress.done))
    return Checklist(steps)
