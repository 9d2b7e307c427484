"""Typed errors for mutations: `errors { field message code }`, built from domain exceptions.

The domain errors themselves live in `core/errors.py` (graphene-free); they are re-exported here so edge code
can keep importing them from one place. Domain apps import `core.errors`, never this module.
"""

from __future__ import annotations

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.errors import CommonErrorCode, DomainError, FollowUp, run_after_rollback, running_follow_ups

__all__ = [
    "CommonErrorCode",
    "DomainError",
    "Error",
    "FollowUp",
    "errors_from_validation_error",
    "run_after_rollback",
    "running_follow_ups",
]


class Error(graphene.ObjectType):
    field = graphene.String(description="The input field at fault, or null for the whole request.")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="A stable machine-readable code, e.g. INVALID or INSUFFICIENT_STOCK.")


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
