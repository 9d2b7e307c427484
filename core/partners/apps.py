from core.modules import DomainAppConfig


class PartnersConfig(DomainAppConfig):
    default = True
    name = "core.partners"
    label = "partners"
    default_auto_field = "django.db.models.BigAutoField"
