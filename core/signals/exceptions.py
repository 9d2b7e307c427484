"""Signal ingest errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class SignalErrorCode(str, Enum):
    INVALID_ROW = "INVALID_ROW"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"


class InvalidSignalRow(DomainError):
    """An ingest row is malformed; nothing of the batch is stored."""

    code = SignalErrorCode.INVALID_ROW.value
    field = "rows"


class ProviderUnavailable(DomainError):
    """The external provider could not be reached or answered with something that is not the expected JSON."""

    code = SignalErrorCode.PROVIDER_UNAVAILABLE.value
