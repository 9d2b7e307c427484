"""Signup when billing runs on Stripe: the owner goes through Checkout first, and both of its exits are the
handoff to the tenant host. Uses the billing suite's localstripe harness (the real SDK over HTTP)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from billing.models import BillingAccount
from tenants.models import Tenant
from tests.billing.conftest import LocalStripe
from tests.site.support import public_client, signup_data, tenant_client

pytestmark = pytest.mark.django_db


def test_signup_goes_through_checkout_and_returns_to_the_tenant_signed_in(stripe_mode: LocalStripe) -> None:
    # when a visitor signs up in US dollars while Stripe is configured
    data = signup_data(currency="USD", modules=["retail"])
    response = public_client().post("/signup/", data)

    # then the tenant has a Stripe customer and subscription, and the browser goes to Checkout
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug=data["slug"])
    account = BillingAccount.objects.get(tenant=tenant)
    assert account.currency.upper() == "USD" and account.stripe_subscription_id
    checkout = urlsplit(response["Location"])
    assert checkout.netloc == urlsplit(stripe_mode.base_url).netloc
    session = stripe_mode.get(f"/v1/checkout/sessions/{checkout.path.rsplit('/', 1)[1]}")

    # and Checkout's success URL signs the owner in on the tenant's own host
    success = session["success_url"]
    assert success.startswith(f"http://{data['slug']}.localhost/account/handoff/?token=")
    client, path = tenant_client(success)
    assert client.get(path).status_code == 302
    assert client.get("/").wsgi_request.user.email == data["email"]


def test_cancelling_checkout_still_lands_on_the_trial(stripe_mode: LocalStripe) -> None:
    data = signup_data()
    response = public_client().post("/signup/", data)
    session_id = urlsplit(response["Location"]).path.rsplit("/", 1)[1]
    cancel = stripe_mode.get(f"/v1/checkout/sessions/{session_id}")["cancel_url"]

    assert parse_qs(urlsplit(cancel).query)["checkout"] == ["cancelled"]
    client, path = tenant_client(cancel)
    assert client.get(path).status_code == 302
    assert client.get("/").status_code == 200


def test_a_stripe_outage_does_not_strand_the_new_owner(stripe_mode: LocalStripe) -> None:
    # given Stripe cannot be reached at the moment of signup
    stripe_mode.outage(True)
    try:
        data = signup_data()
        response = public_client().post("/signup/", data)
    finally:
        stripe_mode.outage(False)

    # then the tenant exists on its trial and the owner is handed over to it directly
    assert response.status_code == 302
    assert response["Location"].startswith(f"http://{data['slug']}.localhost/account/handoff/?token=")
    client, path = tenant_client(response["Location"])
    assert client.get(path).status_code == 302
    assert Tenant.objects.filter(slug=data["slug"]).exists()
