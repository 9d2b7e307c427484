from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "core.partners"
    label = "partners"
    default_auto_field = "django.db.models.BigAutoField"
