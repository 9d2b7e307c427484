from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "core.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
