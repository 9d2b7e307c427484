from core.modules import DomainAppConfig


class CatalogConfig(DomainAppConfig):
    default = True
    name = "core.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"
