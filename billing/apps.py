from core.modules import DomainAppConfig, PeriodicJob

HOUR = 60 * 60


class BillingConfig(DomainAppConfig):
    """Billing belongs to the core module; it declares its hourly reconciliation (public schema)."""

    default = True  # apps.py also imports DomainAppConfig; pick this one
    name = "billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing.tasks import reconcile_billing

        # Repair entitlements that drifted from Stripe (a missed webhook); once, in the public schema.
        self.periodic_jobs = (PeriodicJob("billing-reconcile", reconcile_billing, HOUR, per_tenant=False),)
