"""A module switched on through Stripe gets its rule pack, whether the change comes from the app or from the
hourly reconciliation; billing only sends `modules_enabled` (it never imports core.rules)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from billing.models import BillingAccount, EntitlementStatus, ModuleEntitlement
from billing.subscriptions import begin_billing, change_modules
from billing.tasks import reconcile_billing
from core.rules.models import RulePackEntry


def _begin(info, modules):
    begin_billing(info.tenant, modules, email=info.owner_email, success_url="http://x/", cancel_url="http://x/")
    return BillingAccount.objects.get(tenant=info.tenant)


def _packs(info):
    with schema_context(info.schema):
        return set(RulePackEntry.objects.values_list("pack", flat=True))


def test_a_module_added_to_the_subscription_gets_its_pack(alpha, stripe_mode):
    # given: alpha pays for food (its rule book starts empty, see tests/conftest.py)
    _begin(alpha, ["food"])
    assert "testkit" not in _packs(alpha)

    # when
    change_modules(alpha.tenant, enable=["testkit"])

    # then: the new item's entitlement loaded the kit's pack, and only that one
    assert ModuleEntitlement.objects.get(tenant=alpha.tenant, module_code="testkit").status == EntitlementStatus.TRIALING
    assert _packs(alpha) == {"testkit"}


def test_reconciliation_that_reactivates_modules_loads_their_packs(alpha, stripe_mode):
    # given: a canceled subscription left the modules read-only
    account = _begin(alpha, ["food"])
    stripe_mode.set_status(account.stripe_subscription_id, "canceled")
    reconcile_billing.apply().get()
    assert _packs(alpha) == set()

    # when: the subscription is active again and a missed webhook is repaired by the reconciliation
    stripe_mode.set_status(account.stripe_subscription_id, "active")
    lines = reconcile_billing.apply().get()

    # then
    assert f"{alpha.tenant.slug}: food: read_only → active" in lines
    assert _packs(alpha) == {"core", "food"}
