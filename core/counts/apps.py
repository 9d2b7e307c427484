from core.modules import DomainAppConfig


class CountsConfig(DomainAppConfig):
    default = True
    name = "core.counts"
    label = "counts"
    default_auto_field = "django.db.models.BigAutoField"
