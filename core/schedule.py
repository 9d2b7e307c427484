"""The Celery beat schedule, built from the periodic jobs the modules and domain apps declare (core.modules).

`core.celery` installs a `RegistrySchedule` as `beat_schedule`: it is read when beat (or a test) first looks at
it, after Django has run every app's ready(), where the jobs are declared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.apps import apps

from core.modules import DeclaredJob, registry

DISPATCH_TO_TENANTS = "core.tasks.dispatch_to_tenants"
DISPATCH_TO_MODULE_TENANTS = "core.tasks.dispatch_to_module_tenants"


def beat_entry(declared: DeclaredJob) -> dict[str, Any]:
    """One beat entry: a public-schema job runs as is; a per-tenant job goes through the dispatcher, which sends
    a vertical's job only to the tenants entitled to that vertical."""
    job = declared.job
    if not job.per_tenant:
        return {"task": job.task.name, "schedule": job.schedule}
    if declared.module_code in registry.always_on_codes():
        return {"task": DISPATCH_TO_TENANTS, "schedule": job.schedule, "args": (job.task.name,)}
    return {"task": DISPATCH_TO_MODULE_TENANTS, "schedule": job.schedule, "args": (declared.module_code, job.task.name)}


def build_beat_schedule() -> dict[str, dict[str, Any]]:
    """Job name → beat entry for every declared job; two jobs with one name would silently replace each other."""
    schedule: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for declared in registry.periodic_jobs():
        name = declared.job.name
        if name in schedule:
            raise ValueError(f"Periodic job `{name}` is declared by both {owners[name]} and {declared.module_code}.")
        owners[name] = declared.module_code
        schedule[name] = beat_entry(declared)
    return schedule


class RegistrySchedule(Mapping[str, dict[str, Any]]):
    """`beat_schedule` as a mapping that builds itself from the registry on first use (the apps must be ready)."""

    def __init__(self) -> None:
        self._built: dict[str, dict[str, Any]] | None = None

    def _entries(self) -> dict[str, dict[str, Any]]:
        if self._built is not None:
            return self._built
        schedule = build_beat_schedule()
        if apps.ready:  # read while the apps' ready() still run, it may miss jobs: build it again next time
            self._built = schedule
        return schedule

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self._entries()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __len__(self) -> int:
        return len(self._entries())
