from core.modules import DomainAppConfig


class PurchasingConfig(DomainAppConfig):
    default = True
    name = "core.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
