"""Health endpoints on the public host: /healthz (process up), /readyz (database and broker reachable)."""

from __future__ import annotations

import os
from pathlib import Path

from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Checks nothing else, so a database outage never restarts web pods."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database and the Celery broker answer, else 503 naming the failed check."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(error).__name__}"
    return "ok"


def _check_broker() -> str:
    from core.celery import app

    try:
        if str(app.conf.broker_url).startswith("filesystem://"):
            # The filesystem transport "connects" to anything; what matters is the shared folder.
            folder = Path(app.conf.broker_transport_options["data_folder_out"])
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                return "error: queue folder missing or read-only"
            return "ok"
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(error).__name__}"
    return "ok"
