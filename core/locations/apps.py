from core.modules import DomainAppConfig


class LocationsConfig(DomainAppConfig):
    default = True
    name = "core.locations"
    label = "locations"
    default_auto_field = "django.db.models.BigAutoField"
