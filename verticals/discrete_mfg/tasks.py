"""Celery entry points of discrete manufacturing (thin: they call services)."""

from __future__ import annotations

from core.celery import app


@app.task(name="verticals.discrete_mfg.tasks.scan_idle_stock", ignore_result=True)
def scan_idle_stock() -> int:
    """Daily, per tenant: record the idle-stock scan event the rule pack judges (return, sell or reuse)."""
    from verticals.discrete_mfg.services import scan_idle_stock as scan

    return scan()
