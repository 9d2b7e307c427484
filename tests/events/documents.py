"""A test-only pipeline document, in an app registry of its own so it never reaches apps.get_models()."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import models

from core.events.documents import StatefulDocument

# A registry of its own: the parcel exists only in the tests and never shows up in apps.get_models().
_test_apps = Apps()


class Parcel(StatefulDocument):
    """A minimal pipeline document with the shape of the real ones (draft → submitted → approved → shipped)."""

    SUBJECT_TYPE = "parcel"
    TRANSITIONS = {
        "draft": ("submitted", "cancelled"),
        "submitted": ("approved", "cancelled"),
        "approved": ("shipped", "cancelled"),
        "shipped": ("delivered",),
        "delivered": (),
        "cancelled": (),
    }
    BLOCKING_REASONS = {"submitted": "awaiting_approval", "shipped": "awaiting_carrier"}

    note = models.CharField(max_length=100, blank=True)

    class Meta:
        app_label = "events_tests"
        apps = _test_apps
        db_table = "events_test_parcel"
