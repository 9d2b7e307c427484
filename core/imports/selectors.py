"""Reads for bulk imports."""

from __future__ import annotations

from django.db.models import QuerySet

from core.imports.models import ImportJob


def recent_import_jobs(limit: int = 20) -> QuerySet[ImportJob]:
    return ImportJob.objects.all()[:limit]
