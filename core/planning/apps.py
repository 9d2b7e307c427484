from core.modules import DomainAppConfig


class PlanningConfig(DomainAppConfig):
    default = True
    name = "core.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"
