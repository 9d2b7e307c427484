"""Import errors: a file that cannot be read at all, and per-row problems."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class ImportErrorCode(str, Enum):
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    BAD_ENCODING = "BAD_ENCODING"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    MISSING_HEADER = "MISSING_HEADER"
    MISSING_COLUMNS = "MISSING_COLUMNS"
    INVALID_ROWS = "INVALID_ROWS"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    ARCHIVE_TOO_LARGE = "ARCHIVE_TOO_LARGE"  # a zip bomb: declared sizes or compression ratio over the limits
    TOO_MANY_COLUMNS = "TOO_MANY_COLUMNS"
    TIME_BUDGET_EXCEEDED = "TIME_BUDGET_EXCEEDED"


class UnreadableFile(DomainError):
    code = ImportErrorCode.UNSUPPORTED_FORMAT.value
    field = "file"
