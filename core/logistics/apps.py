from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "core.logistics"
    label = "logistics"
    default_auto_field = "django.db.models.BigAutoField"
