"""Without Stripe keys (the embedded default) billing is a local trial and never touches the network:
STRIPE_API_BASE points at a closed port here, so any Stripe call would fail the test."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from billing.entitlements import has_module
from billing.models import BillingAccount, EntitlementStatus, ModuleEntitlement
from billing.services import set_module_status
from billing.subscriptions import begin_billing, billing_overview, change_modules, portal_url, stripe_configured


def _status(info, code):
    row = ModuleEntitlement.objects.filter(tenant=info.tenant, module_code=code).first()
    return row.status if row else None


def test_begin_billing_is_a_no_op_offline(alpha, local_mode):
    url = begin_billing(alpha.tenant, ["food"], email=alpha.owner_email, success_url="http://x/", cancel_url="http://x/")
    assert not stripe_configured()
    assert url is None
    assert not BillingAccount.objects.filter(tenant=alpha.tenant).exists()
    assert _status(alpha, "food") == EntitlementStatus.TRIALING


def test_modules_switch_on_as_trials_and_off_as_disabled(alpha, local_mode):
    change_modules(alpha.tenant, enable=["retail"], disable=["food"])
    assert _status(alpha, "retail") == EntitlementStatus.TRIALING
    assert _status(alpha, "food") == EntitlementStatus.DISABLED
    assert has_module(alpha.tenant, "retail") and not has_module(alpha.tenant, "food")
    # idempotent: the same request again changes nothing, and re-enabling restarts the trial
    change_modules(alpha.tenant, enable=["retail"], disable=["food"])
    change_modules(alpha.tenant, enable=["food"])
    assert _status(alpha, "food") == EntitlementStatus.TRIALING


def test_core_cannot_be_switched_off_offline(alpha, local_mode):
    with pytest.raises(ValidationError) as error:
        change_modules(alpha.tenant, disable=["core"])
    assert error.value.error_dict["modules"][0].code == "core_required"
    assert has_module(alpha.tenant, "core")


def test_enable_and_disable_the_same_module_is_refused(alpha, local_mode):
    with pytest.raises(ValidationError):
        change_modules(alpha.tenant, enable=["retail"], disable=["retail"])
    assert _status(alpha, "retail") is None


def test_overview_offline(alpha, local_mode):
    overview = billing_overview(alpha.tenant)
    lines = {line.code: line for line in overview.modules}
    assert overview.mode == "local" and overview.invoices == [] and not overview.portal_available
    assert overview.banner is None
    assert lines["food"].enabled and lines["food"].status == EntitlementStatus.TRIALING
    assert lines["food"].trial_ends_at is not None
    assert not lines["retail"].enabled and lines["retail"].status == EntitlementStatus.DISABLED
    assert lines["core"].price_display.startswith("¥")
    assert portal_url(alpha.tenant, return_url="http://x/") is None


def test_webhook_endpoint_is_absent_offline(alpha, local_mode):
    response = Client(HTTP_HOST="localhost").post("/billing/stripe/webhook/", b"{}", content_type="application/json")
    assert response.status_code == 404


def test_overview_speaks_the_users_language(alpha, local_mode):
    with translation.override("zh-hans"):
        lines = {line.code: line for line in billing_overview(alpha.tenant).modules}
    assert lines["food"].status_label == "试用中" and lines["retail"].status_label == "未开通"
    assert lines["core"].price_display.endswith("/ 月")
    with translation.override("en"):
        assert billing_overview(alpha.tenant).modules[0].status_label == "Trialing"


def test_set_module_status_refuses_to_disable_core(alpha, local_mode):
    with pytest.raises(ValidationError) as error:
        set_module_status(alpha.tenant, "core", EntitlementStatus.DISABLED)
    assert error.value.error_dict["modules"][0].code == "core_required"
    assert set_module_status(alpha.tenant, "retail", EntitlementStatus.ACTIVE).status == EntitlementStatus.ACTIVE
