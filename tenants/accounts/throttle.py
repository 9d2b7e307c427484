"""Login throttling: failed sign-ins counted per account and per address (the `limits` library, in Redis when
REDIS_URL is set). Past LOGIN_FAILURES_PER_ACCOUNT an account is locked for the rest of the window, whatever
the address; past LOGIN_FAILURES_PER_IP an address is, whatever the account. A successful sign-in clears its
account's count. The lockout is checked before the password, so a locked account cannot be probed."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from core import ratelimit


def _account(username: str) -> tuple[str, str, str]:
    schema: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' connection
    return ("login-account", schema, username.strip().lower())


def _address(address: str) -> tuple[str, str]:
    return ("login-ip", address)


def locked_for(username: str, address: str) -> int | None:
    """Seconds the account or the address stays locked; None when a sign-in may be tried."""
    return ratelimit.retry_after(settings.LOGIN_FAILURES_PER_ACCOUNT, *_account(username)) or ratelimit.retry_after(
        settings.LOGIN_FAILURES_PER_IP, *_address(address)
    )


def record_failure(username: str, address: str) -> None:
    ratelimit.count(settings.LOGIN_FAILURES_PER_ACCOUNT, *_account(username))
    ratelimit.count(settings.LOGIN_FAILURES_PER_IP, *_address(address))


def record_success(username: str) -> None:
    ratelimit.clear(settings.LOGIN_FAILURES_PER_ACCOUNT, *_account(username))
