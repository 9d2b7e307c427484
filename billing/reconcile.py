"""Reconciliation: compare each tenant's entitlements with its Stripe subscription and repair drift
(a webhook that never arrived, a row edited by hand). Stripe is the source of truth."""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe

from billing.models import BillingAccount
from billing.stripe_billing import sync_account


@dataclass
class ReconcileReport:
    checked: int = 0
    repaired: dict[str, list[str]] = field(default_factory=dict)  # tenant slug → "code: old → new"
    errors: dict[str, str] = field(default_factory=dict)  # tenant slug → what failed

    def lines(self) -> list[str]:
        out = [f"{slug}: {change}" for slug, changes in self.repaired.items() for change in changes]
        out += [f"{slug}: ERROR {error}" for slug, error in self.errors.items()]
        out.append(f"checked {self.checked} subscriptions, repaired {len(self.repaired)}, errors {len(self.errors)}")
        return out


def reconcile_all() -> ReconcileReport:
    report = ReconcileReport()
    accounts = BillingAccount.objects.exclude(stripe_subscription_id="").select_related("tenant").order_by("pk")
    for account in accounts:
        report.checked += 1
        slug = account.tenant.slug
        try:
            changes = sync_account(account.pk, source="reconcile")
        except stripe.StripeError as exc:
            # One tenant's failure does not stop the others; the next run tries again.
            report.errors[slug] = f"{type(exc).__name__}: {exc}"
            continue
        if changes:
            report.repaired[slug] = [f"{c.module_code}: {c.old_status or '-'} → {c.new_status}" for c in changes]
    return report
