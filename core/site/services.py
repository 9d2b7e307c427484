"""Self-service signup: provision the tenant, start billing, hand the owner over to their own host, verify the email."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from core.modules import CURRENCIES, registry
from core.site.models import LoginHandoff
from tenants.models import Tenant
from tenants.services import provision_tenant, tenant_host

logger = logging.getLogger(__name__)

HANDOFF_SALT = "core.site.handoff"
VERIFY_SALT = "core.site.verify-email"
# Straight from the signup form to the tenant host takes a second; allow for a slow phone network.
HANDOFF_TTL = timedelta(minutes=2)
# Through Stripe Checkout first: the owner types a card before the success URL uses the handoff.
CHECKOUT_HANDOFF_TTL = timedelta(hours=1)
HANDOFF_RETENTION = timedelta(days=1)
VERIFY_MAX_AGE = timedelta(days=3)
# A second submit of the same form (double click, reload) within this window signs in instead of failing.
RESUBMIT_WINDOW = timedelta(minutes=10)


class HandoffRefused(Exception):
    """The handoff token is forged, expired, already used or meant for another tenant."""


class VerificationRefused(Exception):
    """The verification link is forged, expired, already used or meant for another tenant or user."""


@dataclass(frozen=True)
class SiteAddress:
    """How the browser reached the public host: the tenant host is reached the same way (scheme, port)."""

    scheme: str
    port_suffix: str  # "" or ":8000"

    def tenant_url(self, slug: str, path: str) -> str:
        return f"{self.scheme}://{tenant_host(slug)}{self.port_suffix}{path}"


@dataclass(frozen=True)
class SignupRequest:
    company: str
    slug: str
    email: str
    password: str
    modules: tuple[str, ...]
    language: str
    currency: str = "CNY"
    sample_data: bool = False


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    next_url: str  # Stripe Checkout, or the handoff on the tenant host
    resumed: bool = False  # a repeated submit of a signup that had already succeeded


@dataclass(frozen=True)
class ModuleOffer:
    """One row of the landing page and the pricing table, straight from the module registry."""

    code: str
    name: str
    description: str
    always_on: bool
    monthly_price_cny: int
    monthly_price_usd: int


def module_offers(language: str) -> list[ModuleOffer]:
    english = language.startswith("en")
    return [
        ModuleOffer(
            code=cfg.code,
            name=cfg.display_name(language),
            description=cfg.description_en if english else cfg.description_zh,
            always_on=cfg.always_on,
            monthly_price_cny=cfg.monthly_price_cny,
            monthly_price_usd=cfg.monthly_price_usd,
        )
        for cfg in registry.all()
    ]


# --- signup -----------------------------------------------------------------------------------------


def sign_up(req: SignupRequest, site: SiteAddress) -> SignupResult:
    """Provision the tenant, optionally fill it with sample data, start billing and mail the verification link.

    The tenant (row, host, schema, owner, trial entitlements) is created in one transaction by
    provision_tenant, so bad input leaves nothing behind. If the same signup was already completed (the
    form submitted twice), the second call signs the owner in on the existing tenant instead of failing,
    as long as the email and password match.
    """
    if req.currency not in CURRENCIES:
        raise ValidationError({"currency": ValidationError("Unknown currency.", code="invalid")})
    try:
        tenant = provision_tenant(req.company, req.slug, req.email, req.password, req.modules, req.language)
    except ValidationError as error:
        resumed = resume_repeated_signup(req, site) if _only_slug_taken(error) else None
        if resumed is None:
            raise
        return resumed
    _record_currency(tenant, req.currency)
    if req.sample_data:
        build_sample_data(tenant, req.modules)
    send_verification_email(tenant, req.email, site)
    return SignupResult(tenant, _begin_billing(tenant, req, site))


def _record_currency(tenant: Tenant, currency: str) -> None:
    """The company's amounts (orders, stock value) are shown in the currency chosen at signup."""
    from core.web.money import set_company_currency

    with schema_context(tenant.schema_name):
        set_company_currency(currency)


def _begin_billing(tenant: Tenant, req: SignupRequest, site: SiteAddress) -> str:
    """Stripe Checkout first when billing runs on Stripe (its success URL is the handoff), else the handoff."""
    from billing.subscriptions import begin_billing, stripe_configured

    # Through Checkout the owner types a card before the handoff is used: it must live longer.
    handoff = handoff_url(tenant, req.email, site, CHECKOUT_HANDOFF_TTL if stripe_configured() else HANDOFF_TTL)
    try:
        checkout = begin_billing(
            tenant,
            list(req.modules),
            email=req.email,
            currency=req.currency,
            success_url=handoff,
            # Cancelling Checkout still lands on the tenant (the trial runs); billing can be set up later.
            cancel_url=handoff + "&checkout=cancelled",
        )
    except ValidationError:
        # Stripe refused or is unreachable: the tenant exists and its trial runs, so the owner still gets
        # in; reconciliation and the modules & billing page set the subscription up later.
        logger.exception("billing could not start for new tenant %s; continuing on the trial", tenant.slug)
        checkout = None
    return checkout or handoff


def _only_slug_taken(error: ValidationError) -> bool:
    errors = getattr(error, "error_dict", {})
    return set(errors) == {"slug"} and any(e.code == "taken" for e in errors["slug"])


def resume_repeated_signup(req: SignupRequest, site: SiteAddress) -> SignupResult | None:
    """The same form posted again after its tenant was created: sign in rather than report "taken".

    Only when the tenant is minutes old and the posted email and password are the owner's: that proves
    no more than a sign-in would. None when it is not a repeat (the slug is someone else's).
    """
    email = req.email.strip().lower()
    tenant = Tenant.objects.filter(
        slug=req.slug.strip().lower(), owner_email=email, created_at__gte=timezone.now() - RESUBMIT_WINDOW
    ).first()
    if tenant is None or not _owner_password_matches(tenant, email, req.password):
        return None
    return SignupResult(tenant, handoff_url(tenant, email, site, HANDOFF_TTL), resumed=True)


def _owner_password_matches(tenant: Tenant, email: str, password: str) -> bool:
    from tenants.accounts.models import User

    with schema_context(tenant.schema_name):
        user = User.objects.filter(email=email, is_active=True).first()
        return user is not None and user.check_password(password)


def build_sample_data(tenant: Tenant, modules: tuple[str, ...]) -> float | None:
    """Run each enabled module's demo builder (core first), as `manage.py seed_demo` does; returns seconds.

    The tenant already works without it, so a failing builder is logged and signup goes on (None).
    """
    codes = {*registry.always_on_codes(), *modules}
    start = time.perf_counter()
    try:
        with schema_context(tenant.schema_name), transaction.atomic():
            for module in registry.all():
                if module.code in codes and module.demo_data is not None:
                    module.demo_data()
    except Exception:  # any builder bug: keep the (empty) tenant and say so in the log
        logger.exception("sample data for tenant %s failed; the tenant stays empty", tenant.slug)
        return None
    seconds = time.perf_counter() - start
    logger.info("sample data for tenant %s built in %.2f s", tenant.slug, seconds)
    return seconds


# --- login handoff ----------------------------------------------------------------------------------


def _hash_nonce(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_handoff(tenant: Tenant, email: str, ttl: timedelta = HANDOFF_TTL) -> str:
    """A signed token naming the tenant; its nonce is stored (hashed) so it can be used once."""
    nonce = secrets.token_urlsafe(24)
    now = timezone.now()
    # Used or expired handoffs are worthless; dropping day-old ones here keeps the table at a few rows.
    LoginHandoff.objects.filter(expires_at__lt=now - HANDOFF_RETENTION).delete()
    LoginHandoff.objects.create(tenant=tenant, user_email=email.lower(), nonce_hash=_hash_nonce(nonce), expires_at=now + ttl)
    return signing.dumps({"t": tenant.schema_name, "n": nonce}, salt=HANDOFF_SALT, compress=True)


def handoff_url(tenant: Tenant, email: str, site: SiteAddress, ttl: timedelta = HANDOFF_TTL) -> str:
    token = issue_handoff(tenant, email, ttl)
    return site.tenant_url(tenant.slug, f"{reverse('account:handoff', urlconf='core.urls_tenant')}?token={token}")


def redeem_handoff(tenant: Tenant, token: str) -> str:
    """Use the token up on `tenant`'s host and return the email to sign in; raises HandoffRefused."""
    try:
        payload = signing.loads(token, salt=HANDOFF_SALT, max_age=CHECKOUT_HANDOFF_TTL)
    except signing.BadSignature as error:  # also SignatureExpired
        raise HandoffRefused("bad or expired signature") from error
    if not isinstance(payload, dict) or payload.get("t") != tenant.schema_name:
        # A token minted for tenant A opens nothing on tenant B's host.
        raise HandoffRefused("token for another tenant")
    now = timezone.now()
    with transaction.atomic():
        handoff = (
            LoginHandoff.objects.select_for_update()
            .filter(tenant=tenant, nonce_hash=_hash_nonce(str(payload.get("n", ""))))
            .first()
        )
        if handoff is None or handoff.used_at is not None or handoff.expires_at <= now:
            raise HandoffRefused("unknown, used or expired handoff")
        handoff.used_at = now
        handoff.save(update_fields=["used_at"])
    return handoff.user_email


# --- email verification -----------------------------------------------------------------------------


def verification_token(tenant: Tenant, user_pk: int, email: str) -> str:
    return signing.dumps({"t": tenant.schema_name, "u": user_pk, "e": email.lower()}, salt=VERIFY_SALT, compress=True)


def send_verification_email(tenant: Tenant, email: str, site: SiteAddress) -> bool:
    """Mail the owner a signed link to their tenant host; a mail server failure does not undo the signup."""
    from tenants.accounts.models import User

    with schema_context(tenant.schema_name):
        user = User.objects.filter(email=email.lower()).first()
    if user is None or user.email_verified_at is not None:
        return False
    token = verification_token(tenant, user.pk, user.email)
    link = site.tenant_url(tenant.slug, reverse("account:verify_email", kwargs={"token": token}, urlconf="core.urls_tenant"))
    context = {"company": tenant.name, "link": link, "host": tenant_host(tenant.slug)}
    with translation.override(user.language or tenant.language):
        subject = render_to_string("site/emails/verify_subject.txt", context).strip()
        body = render_to_string("site/emails/verify_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send the verification email to the owner of %s", tenant.slug)
        return False
    return True


def _verification_subject(tenant: Tenant, token: str) -> tuple[int, str]:
    """(user pk, email) the link was made for; raises VerificationRefused for a forged, stale or foreign link."""
    try:
        payload: Any = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise VerificationRefused("bad or expired signature") from error
    if not isinstance(payload, dict) or payload.get("t") != tenant.schema_name:
        raise VerificationRefused("link for another tenant")
    user_pk, email = payload.get("u"), payload.get("e")
    if not isinstance(user_pk, int) or not isinstance(email, str):
        raise VerificationRefused("malformed link")
    return user_pk, email


def pending_verification(tenant: Tenant, token: str) -> str:
    """The email a still-usable link would verify, without using it up (the confirm page's GET)."""
    from tenants.accounts.models import User

    user_pk, email = _verification_subject(tenant, token)
    with schema_context(tenant.schema_name):
        user = User.objects.filter(pk=user_pk, email=email, email_verified_at__isnull=True).first()
    if user is None:
        raise VerificationRefused("unknown user, changed email or already verified")
    return user.email


def confirm_email(tenant: Tenant, token: str) -> str:
    """Mark the user's email verified and return it; the link works once (raises VerificationRefused after).

    The token names the tenant, the user and the email; it is accepted only while that user's email is
    still the same and not yet verified, so using it flips the state that made it valid.
    """
    from tenants.accounts.models import User

    user_pk, email = _verification_subject(tenant, token)
    with schema_context(tenant.schema_name), transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_pk, email=email).first()
        if user is None or user.email_verified_at is not None:
            raise VerificationRefused("unknown user, changed email or already verified")
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        return user.email
