"""Typed errors for mutations: `errors { field message code }`, built from domain exceptions."""

from __future__ import annotations

from enum import Enum, StrEnum

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class CommonErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNIQUE = "UNIQUE"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    MODULE_NOT_ENABLED = "MODULE_NOT_ENABLED"
    MODULE_READ_ONLY = "MODULE_READ_ONLY"


class Error(graphene.ObjectType):
    field = graphene.String(description="The input field at fault, or null for the whole request.")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="A stable machine-readable code, e.g. INVALID or INSUFFICIENT_STOCK.")


class DomainError(Exception):
    """Base for domain exceptions that reach the client as typed errors (code from a domain enum)."""

    code: str = CommonErrorCode.INVALID.value
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None, code: str | Enum | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code.value if isinstance(code, Enum) else code


def errors_from_validation_error(error: ValidationError) -> list[Error]:
    if hasattr(error, "error_dict"):
        result = []
        for field, field_errors in error.error_dict.items():
            for item in field_errors:
                result.append(
                    Error(
                        field=None if field == NON_FIELD_ERRORS else _camel(field),
                        message=" ".join(item.messages),
                        code=(item.code or "invalid").upper(),
                    )
                )
        return result
    return [
        Error(field=None, message=" ".join(item.messages), code=(item.code or "invalid").upper()) for item in error.error_list
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
