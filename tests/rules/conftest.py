"""Fixtures for the rules tests: a real pipeline document table (a sales-order lookalike) in alpha's schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps.registry import Apps
from django.db import connection, models

from core.events.documents import StatefulDocument

# A registry of its own: the model exists only in the tests and never shows up in apps.get_models().
_test_apps = Apps()


class TestOrder(StatefulDocument):
    """A document with the fields the catalog's order.* paths name, and a choices-constrained shipping method."""

    SUBJECT_TYPE = "test_order"
    TRANSITIONS = {"draft": ("confirmed", "cancelled"), "confirmed": ("shipped",), "shipped": (), "cancelled": ()}

    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    shipping_address = models.CharField(max_length=200, blank=True)
    shipping_method = models.CharField(
        max_length=20, blank=True, choices=[("standard", "standard"), ("express", "express"), ("air_priority", "air")]
    )
    is_urgent = models.BooleanField(default=False)
    notes = models.CharField(max_length=10, blank=True)  # as the core documents name it (rules say order.note)
    tags = models.JSONField(default=list, blank=True)

    __test__ = False  # not a pytest test class

    class Meta:
        app_label = "rules_tests"
        apps = _test_apps
        db_table = "rules_test_order"


@pytest.fixture
def orders(in_alpha):
    """The test order table in alpha's schema, created inside the test transaction (rolled back with it)."""
    with connection.schema_editor() as editor:
        editor.create_model(TestOrder)
    return TestOrder
