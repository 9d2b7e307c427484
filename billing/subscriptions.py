"""What the signup page and the modules & billing page call: one tenant's subscription, seen from the web.

Two modes, chosen by settings:
- local (no STRIPE_SECRET_KEY, the embedded default): every module runs as a local trial; nothing leaves
  the machine;
- stripe: one Customer and one Subscription per tenant (ids on BillingAccount), one item per module, and
  the entitlements always copied from the subscription's state as Stripe reports it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import invalidate_after_write, module_access
from billing.models import BillingAccount, EntitlementStatus, ModuleEntitlement
from billing.services import check_codes, start_local_trial
from core.modules import registry

if TYPE_CHECKING:
    from tenants.models import Tenant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModuleLine:
    code: str
    name: str
    status: str  # an EntitlementStatus value, "disabled" for a module never switched on
    enabled: bool  # readable: the module's pages and queries are available
    price_display: str  # e.g. "¥99 / 月"
    trial_ends_at: datetime | None
    grace_until: datetime | None
    writable: bool
    status_label: str = ""  # translated, e.g. "试用中"


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    created: datetime
    amount_display: str
    status: str
    hosted_url: str | None


@dataclass
class BillingOverview:
    mode: str  # "local" | "stripe"
    modules: list[ModuleLine] = field(default_factory=list)
    invoices: list[InvoiceLine] = field(default_factory=list)
    portal_available: bool = False
    banner: str | None = None  # translated: past due within grace, or read-only


def stripe_configured() -> bool:
    """Stripe keys present → Stripe mode; otherwise the offline local trial."""
    return bool(settings.STRIPE_SECRET_KEY)


def begin_billing(
    tenant: Tenant,
    modules: list[str],
    *,
    email: str,
    currency: str = "CNY",
    success_url: str,
    cancel_url: str,
) -> str | None:
    """Start paying for a freshly provisioned tenant; returns a Checkout URL to collect a card, or None.

    provision_tenant has already started local trial entitlements; in Stripe mode they are replaced by
    the state of the new subscription.
    """
    codes = check_codes(modules)
    if not stripe_configured():
        return None
    from billing import stripe_billing

    account = stripe_billing.create_subscription(tenant, codes, email=email, currency=currency)
    return stripe_billing.checkout_setup_url(account, success_url=success_url, cancel_url=cancel_url)


def change_modules(tenant: Tenant, *, enable: Iterable[str] = (), disable: Iterable[str] = ()) -> None:
    """Switch modules on or off; idempotent. The core module cannot be switched off."""
    enable_codes, disable_codes = check_codes(enable), check_codes(disable)
    if set(enable_codes) & set(disable_codes):
        message = _("A module cannot be enabled and disabled at once.")
        raise ValidationError({"modules": ValidationError(message, code="invalid")})
    if set(disable_codes) & set(registry.always_on_codes()):
        message = _("The core module cannot be switched off.")
        raise ValidationError({"modules": ValidationError(message, code="core_required")})
    if stripe_configured() and BillingAccount.objects.filter(tenant=tenant).exists():
        from billing import stripe_billing

        stripe_billing.change_items(tenant, enable=enable_codes, disable=disable_codes)
        return
    _change_local(tenant, enable_codes, disable_codes)


@transaction.atomic
def _change_local(tenant: Tenant, enable: list[str], disable: list[str]) -> None:
    current = {row.module_code: row for row in ModuleEntitlement.objects.select_for_update().filter(tenant=tenant)}
    to_start = [code for code in enable if code not in current or current[code].status == EntitlementStatus.DISABLED]
    if to_start:
        start_local_trial(tenant, to_start)
    for code in disable:
        row = current.get(code)
        if row is not None and row.status != EntitlementStatus.DISABLED:
            row.status = EntitlementStatus.DISABLED
            row.grace_until = None
            row.save(update_fields=["status", "grace_until", "updated_at"])
    invalidate_after_write(tenant)


def _price_display(code: str, currency: str) -> str:
    cfg = registry.get(code)
    if currency.upper() == "USD":
        return _("$%(amount)s / month") % {"amount": cfg.monthly_price(currency)}
    return _("¥%(amount)s / month") % {"amount": cfg.monthly_price(currency)}


def _module_lines(tenant: Tenant, currency: str) -> list[ModuleLine]:
    access = module_access(tenant)
    rows = {row.module_code: row for row in ModuleEntitlement.objects.filter(tenant=tenant)}
    language = getattr(tenant, "language", "zh-hans")
    lines = []
    for cfg in registry.all():
        item = access.get(cfg.code)
        row = rows.get(cfg.code)
        lines.append(
            ModuleLine(
                code=cfg.code,
                name=cfg.display_name(language),
                status=item.status if item else EntitlementStatus.DISABLED,
                enabled=bool(item and item.readable),
                price_display=_price_display(cfg.code, currency),
                trial_ends_at=row.trial_ends_at if row else None,
                grace_until=item.grace_until if item else None,
                writable=bool(item and item.writable),
                status_label=str(EntitlementStatus(item.status).label if item else EntitlementStatus.DISABLED.label),
            )
        )
    return lines


def billing_banner(tenant: Tenant) -> str | None:
    """The translated warning every page shows: payment past due (within grace), or data read-only.

    Read from the cached entitlements (no query on a warm cache), so the context processor may call it.
    """
    core = module_access(tenant).get(registry.always_on_codes()[0]) if registry.always_on_codes() else None
    if core is None:
        return None
    if core.in_grace and core.grace_until is not None:
        until = timezone.localtime(core.grace_until).strftime("%Y-%m-%d")
        message = _("Your payment is past due. Update your payment method before %(date)s to keep editing.")
        return message % {"date": until}
    if core.readable and not core.writable:
        return _("Your subscription has ended: your data is read-only. Renew it to make changes again.")
    return None


def billing_overview(tenant: Tenant) -> BillingOverview:
    """Everything the modules & billing page shows."""
    account = BillingAccount.objects.filter(tenant=tenant).first()
    currency = account.currency if account else "CNY"
    lines = _module_lines(tenant, currency)
    overview = BillingOverview(mode="local", modules=lines, banner=billing_banner(tenant))
    if stripe_configured() and account is not None:
        from billing import stripe_billing

        overview.mode = "stripe"
        overview.portal_available = True
        try:
            overview.invoices = stripe_billing.recent_invoices(account)
        except stripe.StripeError:
            # The page still shows the modules; the invoice list comes back when Stripe answers again.
            logger.warning("could not list invoices for %s", account.stripe_customer_id, exc_info=True)
    return overview


def portal_url(tenant: Tenant, *, return_url: str) -> str | None:
    """A Stripe billing portal session for the tenant's customer, or None in local mode."""
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if not stripe_configured() or account is None:
        return None
    from billing import stripe_billing

    return stripe_billing.portal_session_url(account, return_url=return_url)
