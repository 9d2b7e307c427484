from django.apps import AppConfig


class CountsConfig(AppConfig):
    name = "core.counts"
    label = "counts"
    default_auto_field = "django.db.models.BigAutoField"
