"""Admin for cycle counts: read-mostly, since adjustments are posted only by the services."""

from django.contrib import admin

from core.counts.models import CycleCount, CycleCountLine


class CycleCountLineInline(admin.TabularInline):
    model = CycleCountLine
    extra = 0
    readonly_fields = ("system_quantity", "counted_at", "counted_by")


@admin.register(CycleCount)
class CycleCountAdmin(admin.ModelAdmin):
    list_display = ("number", "location", "state", "created_at", "completed_at")
    list_filter = ("state",)
    readonly_fields = ("state", "state_changed_at", "started_at", "completed_at", "created_by")
    inlines = (CycleCountLineInline,)
