"""Stripe mode: a tenant's Customer and Subscription, and entitlements copied from the subscription.

Every entitlement change here starts from the subscription as Stripe reports it *now* (never from an
event's payload), under a lock on the tenant's BillingAccount row, so events applied in any order, twice,
or concurrently all end in Stripe's current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.catalog import price_ids
from billing.entitlements import USABLE_STATUSES, announce_enabled, invalidate_after_write
from billing.models import BillingAccount, EntitlementChange, EntitlementStatus, ModuleEntitlement
from billing.stripe_api import as_dict, client, parse_lookup_key
from core.modules import registry

if TYPE_CHECKING:
    from tenants.models import Tenant

ENABLED_STATUSES = {"trialing": EntitlementStatus.TRIALING, "active": EntitlementStatus.ACTIVE}
# Payment is owed: usable for BILLING_GRACE_DAYS, with a banner.
GRACE_STATUSES = {"past_due", "incomplete"}
# Anything else (canceled, unpaid, incomplete_expired, paused) leaves the data readable and nothing writable.


class BillingUnavailable(ValidationError):
    """Stripe refused or could not be reached; the user sees a translated message, nothing changed here."""


@dataclass(frozen=True)
class Desired:
    status: str
    trial_ends_at: datetime | None = None
    grace_until: datetime | None = None


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _items_by_code(subscription: Any) -> dict[str, str]:
    """Subscription item id per module code, for the items whose price is one of ours (by lookup key)."""
    items: dict[str, str] = {}
    for item in subscription["items"]["data"]:
        parsed = parse_lookup_key((item.get("price") or {}).get("lookup_key"))
        if parsed:
            items[parsed[0]] = item["id"]
    return items


def subscription_codes(subscription: Any) -> set[str]:
    """The module codes of a subscription's items (by their prices' lookup keys)."""
    return set(_items_by_code(subscription)) & set(registry.codes())


def desired_entitlements(subscription: Any, past_due_since: datetime | None) -> dict[str, Desired]:
    """Module code → the entitlement the subscription's state calls for, for every module in the registry."""
    status = subscription["status"]
    subscribed = subscription_codes(subscription) | set(registry.always_on_codes())
    if status in ENABLED_STATUSES:
        trial_ends = _timestamp(subscription.get("trial_end")) if status == "trialing" else None
        on = Desired(ENABLED_STATUSES[status], trial_ends_at=trial_ends)
    elif status in GRACE_STATUSES:
        since = past_due_since or timezone.now()
        on = Desired(EntitlementStatus.PAST_DUE, grace_until=since + timedelta(days=settings.BILLING_GRACE_DAYS))
    else:
        on = Desired(EntitlementStatus.READ_ONLY)
    off = Desired(EntitlementStatus.DISABLED)
    return {code: on if code in subscribed else off for code in registry.codes()}


def _apply(account: BillingAccount, subscription: Any, source: str) -> list[EntitlementChange]:
    """Write the subscription's state into the account and its entitlements; returns the status changes."""
    status = subscription["status"]
    if status in GRACE_STATUSES:
        account.past_due_since = account.past_due_since or timezone.now()
    else:
        account.past_due_since = None
    account.subscription_status = status
    account.synced_at = timezone.now()
    account.save(update_fields=["subscription_status", "past_due_since", "synced_at"])
    tenant = account.tenant
    rows = {row.module_code: row for row in ModuleEntitlement.objects.select_for_update().filter(tenant=tenant)}
    changes = []
    for code, want in desired_entitlements(subscription, account.past_due_since).items():
        row = rows.get(code)
        if row is None and want.status == EntitlementStatus.DISABLED:
            continue  # never enabled, still not: no row needed
        old = (row.status, row.trial_ends_at, row.grace_until) if row else None
        if old == (want.status, want.trial_ends_at, want.grace_until):
            continue
        ModuleEntitlement.objects.update_or_create(
            tenant=tenant,
            module_code=code,
            defaults={"status": want.status, "trial_ends_at": want.trial_ends_at, "grace_until": want.grace_until},
        )
        if old is None or old[0] != want.status:
            old_status = old[0] if old else ""
            changes.append(
                EntitlementChange.objects.create(
                    tenant=tenant, module_code=code, old_status=old_status, new_status=want.status, source=source
                )
            )
    invalidate_after_write(tenant)
    announce_enabled(
        tenant, [c.module_code for c in changes if c.new_status in USABLE_STATUSES and c.old_status not in USABLE_STATUSES]
    )
    return changes


def retrieve_subscription(account: BillingAccount) -> dict[str, Any]:
    return as_dict(client().v1.subscriptions.retrieve(account.stripe_subscription_id))


def sync_account(account_pk: int, source: str) -> list[EntitlementChange]:
    """Re-read the subscription from Stripe and copy its state; serialized per tenant by the row lock.

    Stripe is read while the lock is held: whichever sync commits last also read Stripe last, so two
    events processed concurrently cannot leave an older state behind.
    """
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().select_related("tenant").get(pk=account_pk)
        if not account.stripe_subscription_id:
            return []
        return _apply(account, retrieve_subscription(account), source)


def unavailable(message: str, code: str) -> BillingUnavailable:
    return BillingUnavailable({"modules": ValidationError(message, code=code)})


def _stripe_failed(exc: stripe.StripeError) -> BillingUnavailable:
    message = _("The payment provider could not complete the request; nothing was changed. Try again.")
    return unavailable(message, "stripe_error")


def _ensure_customer(tenant: Tenant, email: str, currency: str) -> BillingAccount:
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if account is not None:
        return account
    customer = client().v1.customers.create(
        params={"email": email, "name": tenant.name, "metadata": {"tenant_schema": tenant.schema_name}}
    )
    # Stored at once, so a failure further on never leaves a customer nobody knows about.
    return BillingAccount.objects.create(tenant=tenant, stripe_customer_id=customer.id, currency=currency.upper())


def _existing_subscription(account: BillingAccount) -> dict[str, Any] | None:
    subs = client().v1.subscriptions.list(params={"customer": account.stripe_customer_id, "limit": 1})
    return as_dict(subs.data[0]) if subs.data else None


def create_subscription(tenant: Tenant, codes: list[str], *, email: str, currency: str) -> BillingAccount:
    """One Customer and one Subscription (trial, one item per module incl. core); idempotent per tenant."""
    try:
        account = _ensure_customer(tenant, email, currency)
        if account.stripe_subscription_id:
            change_items(tenant, enable=codes, disable=[])
            return account
        subscription = _existing_subscription(account)
        if subscription is None:
            wanted = sorted(set(codes) | set(registry.always_on_codes()))
            prices = price_ids(wanted, account.currency)
            subscription = as_dict(
                client().v1.subscriptions.create(
                    params={
                        "customer": account.stripe_customer_id,
                        "items": [{"price": prices[code]} for code in wanted],
                        "trial_period_days": settings.BILLING_TRIAL_DAYS,
                        "metadata": {"tenant_schema": tenant.schema_name},
                    }
                )
            )
    except stripe.StripeError as exc:
        raise _stripe_failed(exc) from exc
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account.pk)
        account.stripe_subscription_id = subscription["id"]
        account.save(update_fields=["stripe_subscription_id"])
        _apply(account, subscription, "begin_billing")
    return account


def checkout_setup_url(account: BillingAccount, *, success_url: str, cancel_url: str) -> str | None:
    """A Checkout session in setup mode: collects the payment method the trial ends on."""
    try:
        session = client().v1.checkout.sessions.create(
            params={
                "mode": "setup",
                "customer": account.stripe_customer_id,
                "currency": account.currency.lower(),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "metadata": {"subscription": account.stripe_subscription_id},
            }
        )
    except stripe.StripeError as exc:
        raise _stripe_failed(exc) from exc
    return as_dict(session).get("url")


def adopt_checkout_payment_method(session: dict[str, Any]) -> None:
    """A completed setup-mode Checkout: its card becomes the customer's default for the subscription's invoices."""
    if session.get("mode") != "setup" or not session.get("setup_intent"):
        return
    setup_intent = client().v1.setup_intents.retrieve(session["setup_intent"])
    if setup_intent["payment_method"]:
        client().v1.customers.update(
            session["customer"], params={"invoice_settings": {"default_payment_method": setup_intent["payment_method"]}}
        )


def _item_changes(subscription: Any, enable: list[str], disable: list[str], currency: str) -> list[dict[str, Any]]:
    items_by_code = _items_by_code(subscription)
    to_add = [code for code in enable if code not in items_by_code]
    changes: list[dict[str, Any]] = [{"id": items_by_code[code], "deleted": True} for code in disable if code in items_by_code]
    if to_add:
        prices = price_ids(to_add, currency)
        changes += [{"price": prices[code]} for code in to_add]
    return changes


def change_items(tenant: Tenant, *, enable: list[str], disable: list[str]) -> None:
    """Add/remove subscription items (prorated), then copy the subscription's state. Idempotent."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().select_related("tenant").get(tenant=tenant)
        try:
            subscription = retrieve_subscription(account)
            if subscription["status"] not in ENABLED_STATUSES and subscription["status"] not in GRACE_STATUSES:
                message = _("The subscription has ended: modules cannot be changed until it is renewed. Contact us to renew it.")
                raise unavailable(message, "subscription_ended")
            changes = _item_changes(subscription, enable, disable, account.currency)
            if changes:
                params: dict[str, Any] = {"items": changes, "proration_behavior": "create_prorations"}
                updated = client().v1.subscriptions.update(account.stripe_subscription_id, params=params)  # type: ignore[arg-type]
                subscription = as_dict(updated)
        except stripe.StripeError as exc:
            raise _stripe_failed(exc) from exc
        _apply(account, subscription, "change_modules")


def _money(amount: int, currency: str) -> str:
    symbol = {"cny": "¥", "usd": "$"}.get(currency.lower(), currency.upper() + " ")
    return f"{symbol}{amount / 100:,.2f}"


def recent_invoices(account: BillingAccount, limit: int = 12) -> list[Any]:
    from billing.subscriptions import InvoiceLine

    listed = client().v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": limit})
    invoices = [as_dict(invoice) for invoice in listed.data]
    return [
        InvoiceLine(
            number=invoice.get("number") or invoice["id"],
            created=_timestamp(invoice.get("created")) or timezone.now(),
            amount_display=_money(int(invoice.get("total") or 0), invoice.get("currency") or account.currency),
            status=invoice.get("status") or "",
            hosted_url=invoice.get("hosted_invoice_url"),
        )
        for invoice in invoices
    ]


def portal_session_url(account: BillingAccount, *, return_url: str) -> str:
    try:
        session = client().v1.billing_portal.sessions.create(
            params={"customer": account.stripe_customer_id, "return_url": return_url}
        )
    except stripe.StripeError as exc:
        raise _stripe_failed(exc) from exc
    return session["url"]
