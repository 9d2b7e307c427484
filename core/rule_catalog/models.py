"""Rule templates in the public schema: anonymised conditions and actions with placeholders the importer fills."""

from __future__ import annotations

from django.db import models


class RuleTemplate(models.Model):
    """Holds no tenant data: no rule name, no ids, no author, no schema; identifying literals are placeholders."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    trigger = models.CharField(max_length=120, db_index=True)
    condition = models.JSONField()
    actions = models.JSONField()
    # placeholder name → {"field": path or action slot, "type": string/number, "kept": false}
    placeholders = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="zh")
    import_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-published_at", "-pk")

    def __str__(self) -> str:
        return self.title
