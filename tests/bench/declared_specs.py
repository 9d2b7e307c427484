"""Benchmark scripts run outside the test runner: start Django's app registry so module codes resolve to the
demand specs the modules declare (ml_models.apps installs the provider; no database is touched)."""

from __future__ import annotations

import os


def install() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
    os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a script, not a server: no secret is used
    django.setup()
