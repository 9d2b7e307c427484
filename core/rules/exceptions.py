"""Rule errors: one code enum; every error names the field path or text position at fault."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core.errors import DomainError


class RuleErrorCode(StrEnum):
    PARSE_ERROR = "PARSE_ERROR"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_OPERATOR = "INVALID_OPERATOR"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_CONDITION = "INVALID_CONDITION"
    UNKNOWN_ACTION = "UNKNOWN_ACTION"
    INVALID_ACTION = "INVALID_ACTION"
    INVALID_TRIGGER = "INVALID_TRIGGER"
    INVALID_SCHEDULE = "INVALID_SCHEDULE"
    RULE_NOT_FOUND = "RULE_NOT_FOUND"
    VERSION_NOT_FOUND = "VERSION_NOT_FOUND"
    DUPLICATE_NAME = "DUPLICATE_NAME"


class RuleError(DomainError):
    """Base for rule errors; `field` is the input at fault (e.g. `condition`), `path` the catalog field."""

    code = RuleErrorCode.INVALID_CONDITION.value

    def __init__(self, message: str, *, field: str | None = None, code: RuleErrorCode | None = None, path: str = "") -> None:
        super().__init__(message, field=field, code=code)
        self.path = path


class RuleValidationError(RuleError):
    """A condition tree or an action list that does not type-check against the catalog."""

    def __init__(self, message: str, *, code: RuleErrorCode, path: str = "", field: str = "condition") -> None:
        super().__init__(message, field=field, code=code, path=path)


class RuleParseError(RuleError):
    """Plain-language text that does not parse: carries the character position, a caret excerpt and suggestions."""

    code = RuleErrorCode.PARSE_ERROR.value

    def __init__(
        self,
        message: str,
        *,
        text: str,
        position: int,
        expected: list[str] | None = None,
        suggestions: list[str] | None = None,
        code: RuleErrorCode = RuleErrorCode.PARSE_ERROR,
    ) -> None:
        self.text = text
        self.position = max(0, min(position, len(text)))
        self.expected = expected or []
        self.suggestions = suggestions or []
        self.reason = message
        super().__init__(f"{message} (position {self.position})\n{self.excerpt}", field="text", code=code)

    @property
    def excerpt(self) -> str:
        """The line holding the error with a caret under the position (wide CJK characters count as two columns)."""
        line_start = self.text.rfind("\n", 0, self.position) + 1
        line_end = self.text.find("\n", self.position)
        line = self.text[line_start : line_end if line_end != -1 else len(self.text)]
        column = sum(2 if _is_wide(ch) else 1 for ch in self.text[line_start : self.position])
        return f"{line}\n{' ' * column}^"

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.reason,
            "code": self.code,
            "position": self.position,
            "excerpt": self.excerpt,
            "expected": self.expected,
            "suggestions": self.suggestions,
        }


class RuleNotFound(RuleError):
    code = RuleErrorCode.RULE_NOT_FOUND.value


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x1100 and (
        0x2E80 <= ord(ch) <= 0xA4CF or 0xAC00 <= ord(ch) <= 0xD7A3 or 0xF900 <= ord(ch) <= 0xFAFF or 0xFF00 <= ord(ch) <= 0xFF60
    )
