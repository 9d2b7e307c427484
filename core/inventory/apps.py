from core.modules import DomainAppConfig


class InventoryConfig(DomainAppConfig):
    default = True
    name = "core.inventory"
    label = "inventory"
    default_auto_field = "django.db.models.BigAutoField"
