from core.modules import DomainAppConfig


class ImportsConfig(DomainAppConfig):
    default = True
    name = "core.imports"
    label = "imports"
    default_auto_field = "django.db.models.BigAutoField"
