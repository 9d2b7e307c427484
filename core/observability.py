"""Sentry: on only when a DSN is configured; tags every event with the tenant schema, sends no PII."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

logger = logging.getLogger(__name__)


def init_sentry(dsn: str, environment: str) -> bool:
    """Start Sentry when a DSN is configured; returns whether it did (off is the embedded default)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No personal data. sentry-sdk 2.x replaced (and deprecates) `send_default_pii`; this is its
        # False setting made stricter: no user, cookies or query strings, no request bodies (orders and
        # customers travel in GraphQL bodies) and no frame locals (a User's repr is its email).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "url_query_params": {"mode": "off"},
            "http_bodies": [],
            "graphql": {"variables": False},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=0.0,
        before_send=_tag_tenant,
    )
    return True


def _tag_tenant(event: Event, hint: Hint) -> Event:
    """Tag the event with the schema active on the database connection when it happened."""
    from django.db import connection

    schema = getattr(connection, "schema_name", None)
    if schema:
        event.setdefault("tags", {})["tenant"] = schema
    return event
