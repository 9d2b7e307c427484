"""The modules & billing page with Stripe configured: the real SDK against the localstripe harness
(tests/billing), so the page's buttons reach a real subscription and portal session over HTTP."""

from __future__ import annotations

from billing.models import BillingAccount
from billing.subscriptions import begin_billing
from tenants.accounts.roles import Role
from tests.billing.conftest import localstripe, stripe_mode  # noqa: F401 - fixtures shared with the billing tests
from tests.web.support import client_with_role


def _subscribe(info, modules: list[str]) -> None:
    begin_billing(
        info.tenant, modules, email=info.owner_email, success_url="http://localhost/done", cancel_url="http://localhost/cancel"
    )


def _item_keys(harness, info) -> list[str]:
    account = BillingAccount.objects.get(tenant=info.tenant)
    subscription = harness.client().v1.subscriptions.retrieve(account.stripe_subscription_id).to_dict()
    return sorted(item["price"]["lookup_key"] for item in subscription["items"]["data"])


def test_owner_enables_a_module_and_opens_the_portal(alpha, stripe_mode, django_capture_on_commit_callbacks):  # noqa: F811
    # given a tenant subscribed through Stripe to core + food
    _subscribe(alpha, ["food"])
    client = alpha.client()
    page = client.get("/settings/billing/").content.decode()
    assert 'id="manage-payment"' in page and 'id="billing-mode"' not in page
    # when the owner enables retail on the page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/billing/modules/", {"enable": "retail"})
    # then the subscription has a retail item and the navigation shows retail
    assert _item_keys(stripe_mode, alpha) == ["core", "food", "retail"]
    assert 'data-module="retail"' in client.get("/").content.decode().split("</nav>")[0]
    # and "manage payment" leads to a Stripe billing portal session
    portal = client.post("/settings/billing/portal/")
    assert portal.status_code == 302 and portal["Location"].startswith(f"{stripe_mode.base_url}/_harness/portal/")


def test_admin_sees_the_page_but_not_the_payment_button(alpha, stripe_mode):  # noqa: F811
    _subscribe(alpha, ["food"])
    page = client_with_role(alpha, Role.ADMIN).get("/settings/billing/").content.decode()
    assert 'id="manage-payment"' not in page and "只有所有者可以管理付款" in page


def test_stripe_outage_shows_a_message_and_changes_nothing(alpha, stripe_mode):  # noqa: F811
    _subscribe(alpha, ["food"])
    client = alpha.client()
    stripe_mode.outage(True)
    try:
        response = client.post("/settings/billing/modules/", {"enable": "retail"}, follow=True)
    finally:
        stripe_mode.outage(False)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert _item_keys(stripe_mode, alpha) == ["core", "food"]
