"""Admin for the cold chain."""

from django.contrib import admin

from verticals.food.models import ColdChainReading, ColdChainSensor


@admin.register(ColdChainSensor)
class ColdChainSensorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "location", "min_c", "max_c", "active")
    search_fields = ("code", "name")


@admin.register(ColdChainReading)
class ColdChainReadingAdmin(admin.ModelAdmin):
    list_display = ("sensor", "recorded_at", "temperature_c", "out_of_range")
    list_filter = ("out_of_range",)
