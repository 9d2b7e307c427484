from core.modules import DomainAppConfig


class EventsConfig(DomainAppConfig):
    default = True
    name = "core.events"
    label = "events"
    default_auto_field = "django.db.models.BigAutoField"
