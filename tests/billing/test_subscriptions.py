"""Stripe mode: one Customer and one Subscription per tenant, one item per module, through the SDK."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError

from billing.entitlements import can_write_module, has_module
from billing.models import BillingAccount, EntitlementChange, EntitlementStatus, ModuleEntitlement
from billing.subscriptions import begin_billing, billing_overview, change_modules, portal_url, stripe_configured


def _begin(info, modules, currency="CNY"):
    return begin_billing(
        info.tenant,
        modules,
        email=info.owner_email,
        currency=currency,
        success_url="http://localhost/done",
        cancel_url="http://localhost/cancel",
    )


def _subscription(localstripe, info):
    account = BillingAccount.objects.get(tenant=info.tenant)
    return localstripe.client().v1.subscriptions.retrieve(account.stripe_subscription_id).to_dict()


def _item_keys(subscription):
    return sorted(item["price"]["lookup_key"] for item in subscription["items"]["data"])


def _statuses(info):
    return dict(ModuleEntitlement.objects.filter(tenant=info.tenant).values_list("module_code", "status"))


def test_begin_billing_creates_a_trial_subscription_with_an_item_per_chosen_module(alpha, stripe_mode):
    # when
    checkout_url = _begin(alpha, ["food"])
    # then
    assert stripe_configured()
    subscription = _subscription(stripe_mode, alpha)
    assert _item_keys(subscription) == ["core", "food"]
    assert subscription["status"] == "trialing"
    assert abs(subscription["trial_end"] - (time.time() + 14 * 86400)) < 120
    assert checkout_url.startswith(f"{stripe_mode.base_url}/_harness/checkout/cs_test_")
    assert _statuses(alpha)["core"] == _statuses(alpha)["food"] == EntitlementStatus.TRIALING
    assert has_module(alpha.tenant, "food") and not has_module(alpha.tenant, "retail")
    account = BillingAccount.objects.get(tenant=alpha.tenant)
    customer = stripe_mode.client().v1.customers.retrieve(account.stripe_customer_id)
    assert customer["email"] == alpha.owner_email
    assert customer["metadata"]["tenant_schema"] == alpha.schema


def test_begin_billing_twice_keeps_one_customer_and_one_subscription(alpha, stripe_mode):
    _begin(alpha, ["food"])
    first = BillingAccount.objects.get(tenant=alpha.tenant)
    _begin(alpha, ["food"])
    again = BillingAccount.objects.get(tenant=alpha.tenant)
    subs = stripe_mode.client().v1.subscriptions.list(params={"customer": first.stripe_customer_id}).data
    assert (again.stripe_customer_id, again.stripe_subscription_id) == (first.stripe_customer_id, first.stripe_subscription_id)
    assert len(subs) == 1 and _item_keys(subs[0].to_dict()) == ["core", "food"]


def test_usd_tenants_subscribe_to_the_usd_prices(beta, stripe_mode):
    _begin(beta, ["retail"], currency="USD")
    assert _item_keys(_subscription(stripe_mode, beta)) == ["core_usd", "retail_usd"]
    overview = billing_overview(beta.tenant)
    assert next(line for line in overview.modules if line.code == "retail").price_display.startswith("$")


def test_enabling_and_disabling_modules_changes_the_subscription_items(alpha, stripe_mode):
    # given
    _begin(alpha, ["food"])
    # when
    change_modules(alpha.tenant, enable=["retail"], disable=["food"])
    # then
    assert _item_keys(_subscription(stripe_mode, alpha)) == ["core", "retail"]
    statuses = _statuses(alpha)
    assert statuses["retail"] == EntitlementStatus.TRIALING and statuses["food"] == EntitlementStatus.DISABLED
    assert has_module(alpha.tenant, "retail") and not has_module(alpha.tenant, "food")


def test_changing_modules_is_idempotent(alpha, stripe_mode):
    _begin(alpha, ["food"])
    change_modules(alpha.tenant, enable=["retail"])
    items_before = [item["id"] for item in _subscription(stripe_mode, alpha)["items"]["data"]]
    changes_before = EntitlementChange.objects.filter(tenant=alpha.tenant).count()
    change_modules(alpha.tenant, enable=["retail", "food"], disable=["restaurant"])
    assert [item["id"] for item in _subscription(stripe_mode, alpha)["items"]["data"]] == items_before
    assert EntitlementChange.objects.filter(tenant=alpha.tenant).count() == changes_before


def test_the_core_module_cannot_be_switched_off(alpha, stripe_mode):
    _begin(alpha, ["food"])
    with pytest.raises(ValidationError) as error:
        change_modules(alpha.tenant, disable=["core"])
    assert error.value.error_dict["modules"][0].code == "core_required"
    assert _item_keys(_subscription(stripe_mode, alpha)) == ["core", "food"]


def test_unknown_module_codes_are_refused_before_stripe_is_called(alpha, stripe_mode):
    _begin(alpha, ["food"])
    with pytest.raises(ValidationError, match="nope"):
        change_modules(alpha.tenant, enable=["nope"])
    assert _item_keys(_subscription(stripe_mode, alpha)) == ["core", "food"]


def test_adding_a_module_to_a_paid_subscription_is_prorated(alpha, stripe_mode):
    # given a subscription past its trial
    _begin(alpha, ["food"])
    account = BillingAccount.objects.get(tenant=alpha.tenant)
    stripe_mode.set_status(account.stripe_subscription_id, "active")
    # when
    change_modules(alpha.tenant, enable=["retail"])
    change_modules(alpha.tenant, disable=["food"])
    # then: a charge for the rest of the period of retail, a credit for the unused part of food
    items = stripe_mode.client().v1.invoice_items.list(params={"customer": account.stripe_customer_id}).data
    prorations = {item["description"].split(" on ")[0]: item["amount"] for item in items if item["proration"]}
    assert 0 < prorations["Remaining time"] <= 9900
    assert prorations["Unused time"] < 0
    assert _statuses(alpha)["retail"] == EntitlementStatus.ACTIVE
    # and the invoice Stripe draws up from them is listed on the billing page
    invoice = stripe_mode.client().v1.invoices.create(params={"customer": account.stripe_customer_id}).to_dict()
    listed = billing_overview(alpha.tenant).invoices
    assert [line.number for line in listed] == [invoice.get("number") or invoice["id"]]
    assert listed[0].amount_display == f"¥{invoice['total'] / 100:,.2f}"


def test_a_stripe_outage_changes_nothing_and_says_so(alpha, stripe_mode):
    _begin(alpha, ["food"])
    before = _statuses(alpha)
    stripe_mode.outage(True)
    try:
        with pytest.raises(ValidationError) as error:
            change_modules(alpha.tenant, enable=["retail"])
    finally:
        stripe_mode.outage(False)
    assert error.value.error_dict["modules"][0].code == "stripe_error"
    assert _statuses(alpha) == before
    assert _item_keys(_subscription(stripe_mode, alpha)) == ["core", "food"]


def test_overview_and_portal_in_stripe_mode(alpha, stripe_mode):
    _begin(alpha, ["food"])
    overview = billing_overview(alpha.tenant)
    lines = {line.code: line for line in overview.modules}
    assert overview.mode == "stripe" and overview.portal_available and overview.banner is None
    assert lines["food"].enabled and lines["food"].writable and lines["food"].trial_ends_at is not None
    assert not lines["retail"].enabled
    assert overview.invoices == []  # still in the trial: nothing billed yet
    assert portal_url(alpha.tenant, return_url="http://x/billing/").startswith(f"{stripe_mode.base_url}/_harness/portal/")
    assert can_write_module(alpha.tenant, "core")


def test_modules_of_an_ended_subscription_cannot_be_changed(alpha, stripe_mode):
    _begin(alpha, ["food"])
    account = BillingAccount.objects.get(tenant=alpha.tenant)
    stripe_mode.set_status(account.stripe_subscription_id, "canceled")
    with pytest.raises(ValidationError) as error:
        change_modules(alpha.tenant, enable=["retail"])
    assert error.value.error_dict["modules"][0].code == "subscription_ended"
    assert _item_keys(_subscription(stripe_mode, alpha)) == ["core", "food"]
