from core.modules import DomainAppConfig


class SalesConfig(DomainAppConfig):
    default = True
    name = "core.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"
