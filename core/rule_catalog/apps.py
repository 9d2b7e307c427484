from django.apps import AppConfig


class RuleCatalogConfig(AppConfig):
    """The shared (public schema) catalog of anonymised rule templates every tenant can import."""

    name = "core.rule_catalog"
    label = "rule_catalog"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Rule template catalog"
