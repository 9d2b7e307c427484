"""Admin views of events, the outbox and webhooks (read-mostly: events are append-only)."""

from __future__ import annotations

from django.contrib import admin

from core.events.models import DomainEvent, OutboxMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "event_type",
        "subject_type",
        "subject_id",
        "from_state",
        "to_state",
        "blocking_reason",
        "actor",
    )
    list_filter = ("subject_type", "event_type")
    search_fields = ("event_type", "actor")
    date_hierarchy = "occurred_at"

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # append-only

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "event", "created_at", "processed_at", "attempts", "last_error")
    list_filter = (("processed_at", admin.EmptyFieldListFilter),)
    raw_id_fields = ("event",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "active", "description", "created_at")
    list_filter = ("active",)
    exclude = ("secret",)  # shown once through the API, never in list pages


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    readonly_fields = ("attempted_at", "status_code", "error", "response_ms", "succeeded", "replay", "actor")
    can_delete = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("pk", "endpoint", "event", "status", "attempts", "last_status_code", "next_attempt_at", "delivered_at")
    list_filter = ("status",)
    raw_id_fields = ("endpoint", "event")
    inlines = (WebhookAttemptInline,)
