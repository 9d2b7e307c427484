"""The billing suite's localstripe harness (real Stripe SDK over HTTP), for signups in Stripe mode."""

from tests.billing.conftest import localstripe, stripe_mode  # noqa: F401 - re-exported fixtures
