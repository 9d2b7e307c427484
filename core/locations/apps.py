from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "core.locations"
    label = "locations"
    default_auto_field = "django.db.models.BigAutoField"
