"""State changes for users and API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from tenants.accounts.models import ApiKey, ApiKeyScope, User
from tenants.accounts.roles import Permission, Role, role_has

API_KEY_PREFIX = "jxc"
# Touch last_used_at at most this often, so a busy integrator doesn't write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is safe; no salt or KDF needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_user(
    email: str, password: str, role: Role | str = Role.VIEWER, full_name: str = "", language: str = "zh-hans"
) -> User:
    email = email.strip().lower()
    validate_email(email)
    role = Role(role)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email already exists."}, code="unique")
    validate_password(password, user=User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, role=role.value, full_name=full_name, language=language)


def change_role(actor: User, user: User, role: Role | str) -> User:
    role = Role(role)
    if not role_has(actor.role, Permission.ADMINISTER):
        raise ValidationError("Only an owner or admin can change roles.", code="permission_denied")
    if role is Role.OWNER and actor.role != Role.OWNER.value:
        raise ValidationError("Only an owner can make another owner.", code="permission_denied")
    user.role = role.value
    user.save(update_fields=["role"])
    return user


@transaction.atomic
def create_api_key(actor: User, name: str, scope: str = ApiKeyScope.READ, modules: Iterable[str] = ()) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored."""
    if not role_has(actor.role, Permission.ADMINISTER):
        raise ValidationError("Only an owner or admin can create API keys.", code="permission_denied")
    if scope not in ApiKeyScope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}."}, code="invalid")
    from core.modules import registry  # the registry is platform machinery, not a domain app

    modules = sorted(set(modules))
    unknown = [code for code in modules if code not in registry.codes()]
    if unknown:
        raise ValidationError({"modules": f"Unknown module codes: {', '.join(unknown)}."}, code="invalid")
    if not name.strip():
        raise ValidationError({"name": "A key needs a name."}, code="required")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(), prefix=prefix, hashed_secret=hash_secret(secret), scope=scope, modules=modules, created_by=actor
    )
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The active key for a presented token, or None; constant-time comparison of the hash."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    _, prefix, secret = parts
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.hashed_secret, hash_secret(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def revoke_api_key(actor: User, key: ApiKey) -> ApiKey:
    if not role_has(actor.role, Permission.ADMINISTER):
        raise ValidationError("Only an owner or admin can revoke API keys.", code="permission_denied")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
