from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "core.signals"
    label = "demand_signals"
    default_auto_field = "django.db.models.BigAutoField"
