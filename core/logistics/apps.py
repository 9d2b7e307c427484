from core.modules import DomainAppConfig


class LogisticsConfig(DomainAppConfig):
    default = True
    name = "core.logistics"
    label = "logistics"
    default_auto_field = "django.db.models.BigAutoField"
