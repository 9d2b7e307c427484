"""State changes for users and API keys; every rule about who may hand out which role lives here."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.accounts.exceptions import AccountErrorCode
from tenants.accounts.models import ApiKey, ApiKeyScope, User
from tenants.accounts.roles import Permission, Role, can_assign_role, role_has

API_KEY_PREFIX = "jxc"
# Touch last_used_at at most this often, so a busy integrator doesn't write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
LANGUAGES = ("zh-hans", "en")


def hash_secret(secret: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is safe; no salt or KDF needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def _denied(message: str) -> ValidationError:
    return ValidationError(message, code=AccountErrorCode.PERMISSION_DENIED.value)


def _require_administrator(actor: User) -> None:
    if not role_has(actor.role, Permission.ADMINISTER):
        raise _denied("Only an owner or admin can manage users and API keys.")


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError({"role": ValidationError(f"Unknown role {role!r}.", code=AccountErrorCode.INVALID.value)}) from None


def starting_password(*, invited: bool) -> str:
    """A random first password for a user added without one: shown once to the admin who hands it over, or, for
    an invited person, never shown at all (the emailed link replaces it), hence longer."""
    return secrets.token_urlsafe(24 if invited else 12)


@transaction.atomic
def create_user(
    email: str,
    password: str,
    role: Role | str = Role.VIEWER,
    full_name: str = "",
    language: str = "zh-hans",
    *,
    actor: User | None = None,
) -> User:
    """Add a person to the tenant. With an `actor`, the actor's right to hand out `role` is checked."""
    role = _parse_role(role)
    if actor is not None:
        _require_administrator(actor)
        if not can_assign_role(actor.role, role):
            raise _denied("Only an owner can make another owner.")
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    errors: dict[str, ValidationError] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ValidationError("Enter a valid email address.", code=AccountErrorCode.INVALID.value)
    if "email" not in errors and User.objects.filter(email=email).exists():
        errors["email"] = ValidationError("A user with this email already exists.", code=AccountErrorCode.UNIQUE.value)
    if len(full_name) > User._meta.get_field("full_name").max_length:  # type: ignore[operator]
        errors["full_name"] = ValidationError("The name is too long (150 characters at most).", code="invalid")
    if language not in LANGUAGES:
        errors["language"] = ValidationError(f"Language must be one of {', '.join(LANGUAGES)}.", code="invalid")
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as error:
        errors["password"] = error  # keeps Django's codes: password_too_short, password_too_common, ...
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a concurrent signup with the same email loses here, not in a 500
            return User.objects.create_user(
                email=email, password=password, role=role.value, full_name=full_name, language=language
            )
    except IntegrityError:
        raise ValidationError(
            {"email": ValidationError("A user with this email already exists.", code=AccountErrorCode.UNIQUE.value)}
        ) from None


def _lock_owners() -> list[User]:
    # Lock every active owner in pk order: two admins demoting the last two owners at once serialise here.
    return list(User.objects.select_for_update().filter(role=Role.OWNER.value, is_active=True).order_by("pk"))


def _guard_owner_removal(user: User) -> None:
    if user.role == Role.OWNER.value and user.is_active:
        owners = _lock_owners()
        if len([owner for owner in owners if owner.pk != user.pk]) == 0:
            raise ValidationError("The company needs at least one active owner.", code=AccountErrorCode.LAST_OWNER.value)


@transaction.atomic
def change_role(actor: User, user: User, role: Role | str) -> User:
    role = _parse_role(role)
    _require_administrator(actor)
    if not can_assign_role(actor.role, role):
        raise _denied("Only an owner can make another owner.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_assign_role(actor.role, user.role):
        raise _denied("Only an owner can change an owner's role.")
    if role is not Role.OWNER:
        _guard_owner_removal(user)
    if user.role != role.value:
        user.role = role.value
        user.save(update_fields=["role"])
    return user


@transaction.atomic
def deactivate_user(actor: User, user: User, *, keys_to: User | None = None) -> User:
    """Sign a person out for good: an inactive user's sessions stop working at the next request.

    The API keys the person created are revoked with them (an integration must not outlive the access of
    whoever set it up), unless an owner hands them to another active user (`keys_to`) in the same step.
    """
    _require_administrator(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise _denied("You cannot deactivate yourself.")
    if not can_assign_role(actor.role, user.role):
        raise _denied("Only an owner can deactivate an owner.")
    _guard_owner_removal(user)
    if keys_to is not None:
        reassign_api_keys(actor, user, keys_to)
    else:
        ApiKey.objects.filter(created_by=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def reassign_api_keys(actor: User, from_user: User, to_user: User) -> int:
    """An owner hands the active keys `from_user` created to `to_user` (an active user); returns how many."""
    if actor.role != Role.OWNER.value:
        raise _denied("Only an owner can hand API keys to another user.")
    to_user = User.objects.select_for_update().get(pk=to_user.pk)
    if not to_user.is_active or to_user.pk == from_user.pk:
        raise ValidationError(
            {"keysTo": ValidationError("Hand the keys to another active user.", code=AccountErrorCode.INVALID.value)}
        )
    return ApiKey.objects.filter(created_by=from_user, revoked_at__isnull=True).update(created_by=to_user)


@transaction.atomic
def create_api_key(actor: User, name: str, scope: str = ApiKeyScope.READ, modules: Iterable[str] = ()) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored.

    Names are unique among active keys, so a double-submitted form fails the second time instead of
    leaving a key whose secret nobody saw.
    """
    _require_administrator(actor)
    from core.modules import registry  # the registry is platform machinery, not a domain app

    name = (name or "").strip()
    modules = sorted(set(modules))
    errors: dict[str, ValidationError] = {}
    if not name:
        errors["name"] = ValidationError("A key needs a name.", code=AccountErrorCode.REQUIRED.value)
    elif len(name) > ApiKey._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = ValidationError("The name is too long (100 characters at most).", code="invalid")
    elif ApiKey.objects.filter(name=name, revoked_at__isnull=True).exists():
        errors["name"] = ValidationError(f"An active key named {name!r} already exists.", code=AccountErrorCode.UNIQUE.value)
    if scope not in ApiKeyScope.values:
        errors["scope"] = ValidationError(f"Unknown scope {scope!r}.", code=AccountErrorCode.INVALID.value)
    unknown = [code for code in modules if code not in registry.codes()]
    if unknown:
        errors["modules"] = ValidationError(f"Unknown module codes: {', '.join(unknown)}.", code=AccountErrorCode.INVALID.value)
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():  # the partial unique index settles a race between two submits
            key = ApiKey.objects.create(
                name=name, prefix=prefix, hashed_secret=hash_secret(secret), scope=scope, modules=modules, created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            {"name": ValidationError(f"An active key named {name!r} already exists.", code=AccountErrorCode.UNIQUE.value)}
        ) from None
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key for a presented token, or None; constant-time comparison of the hash."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    _, prefix, secret = parts
    # A key whose creator was deactivated is refused even if it escaped revocation (keys made before it existed).
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).exclude(created_by__is_active=False).first()
    if key is None or not hmac.compare_digest(key.hashed_secret, hash_secret(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
def revoke_api_key(actor: User, key: ApiKey) -> ApiKey:
    """Revoke at once and for good; revoking twice keeps the first revocation time."""
    _require_administrator(actor)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
