"""Turning an ID argument into a row, or a typed NOT_FOUND error on the argument.

Accepts a Relay global ID ("PurchaseOrder:12" base64-encoded) or a plain primary key, so integrators can
pass either what a connection returned or the numeric id they keep in their own system."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from graphql_relay import from_global_id

from core.graphql.errors import CommonErrorCode, DomainError

M = TypeVar("M", bound=Model)


class NotFound(DomainError):
    code = CommonErrorCode.NOT_FOUND.value


def pk_from_id(value: Any, type_name: str | None = None) -> int | None:
    """The primary key in `value`, or None when it is not an id (of `type_name`, if given)."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if text.isdigit():
        return int(text)
    try:
        found_type, raw = from_global_id(text)
        pk = int(raw)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if type_name is not None and found_type != type_name:
        return None
    return pk


def require_pk(value: Any, field: str, type_name: str | None = None, error: type[DomainError] = NotFound) -> int:
    """The primary key in `value`, or `error` (a typed error on `field`) when it is not an id."""
    pk = pk_from_id(value, type_name)
    if pk is None:
        raise error(f"Not a valid id: {value}.", field=field)
    return pk


def object_by_id(source: type[M] | QuerySet[M], value: Any, field: str = "id", type_name: str | None = None) -> M:
    """The row with this id; NotFound on `field` otherwise."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    pk = pk_from_id(value, type_name)
    row = queryset.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise NotFound(f"No {queryset.model._meta.verbose_name} with id {value}.", field=field)
    return row
