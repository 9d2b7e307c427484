"""Reads of the current tenant's sales-history uploads (the schema keeps tenants apart)."""

from __future__ import annotations

from django.db.models import QuerySet

from ml_models.models import SalesHistoryRow, SalesHistoryUpload


def sales_history_uploads() -> QuerySet[SalesHistoryUpload]:
    return SalesHistoryUpload.objects.order_by("-created_at", "-pk")


def upload_rows(upload_id: int) -> QuerySet[SalesHistoryRow]:
    return SalesHistoryRow.objects.filter(upload_id=upload_id).select_related("item", "location")
