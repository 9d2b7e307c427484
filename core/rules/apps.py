from core.modules import DomainAppConfig


class RulesConfig(DomainAppConfig):
    default = True
    name = "core.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
