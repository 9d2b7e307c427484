"""The public site: landing page, pricing, self-service signup, and the tenant-side handoff and email check."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "core.site"
    label = "site"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Public site"
