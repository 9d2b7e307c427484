"""Sentry: on only when a DSN is configured; tags every event with the tenant schema, sends no PII."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def init_sentry(dsn: str, environment: str) -> bool:
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_tag_tenant,
    )
    return True


def _tag_tenant(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Tag the event with the schema active on the database connection when it happened."""
    from django.db import connection

    schema = getattr(connection, "schema_name", None)
    if schema:
        event.setdefault("tags", {})["tenant"] = schema
    return event
