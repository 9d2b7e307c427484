"""Error codes for users and API keys; services raise ValidationError with these codes."""

from __future__ import annotations

from enum import Enum


class AccountErrorCode(str, Enum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    PERMISSION_DENIED = "permission_denied"
    LAST_OWNER = "last_owner"
