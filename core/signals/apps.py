from core.modules import DomainAppConfig


class SignalsConfig(DomainAppConfig):
    default = True
    name = "core.signals"
    label = "demand_signals"
    default_auto_field = "django.db.models.BigAutoField"
