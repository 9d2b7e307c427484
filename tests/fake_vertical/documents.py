"""The test kit's pipeline document, a crate. Its table is made inside a test (never migrated): the model lives in a
registry of its own, so it never shows up in apps.get_models() or in the migration check."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import models

from core.events.documents import StatefulDocument

_kit_apps = Apps()


class Crate(StatefulDocument):
    SUBJECT_TYPE = "testkit_crate"
    TRANSITIONS = {"draft": ("sealed",), "sealed": ()}

    label = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=40, blank=True)

    class Meta:
        app_label = "testkit_documents"
        apps = _kit_apps
        db_table = "testkit_crate"
