"""The test kit's periodic job."""

from __future__ import annotations

from core.celery import app


@app.task(name="tests.fake_vertical.tasks.tally_testkit_items")
def tally_testkit_items() -> int:
    from core.catalog.models import Item
    from tests.fake_vertical.declarations import SKU_PREFIX

    return Item.objects.filter(sku__startswith=SKU_PREFIX).count()
