"""Arguments checked before any resolver runs: NUL characters, NaN and infinities, numbers no column can
hold, negative page bounds. Without this they reached the database and came back as INTERNAL_ERROR."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.input_limits import InputErrorCode, InputOutOfRange, InvalidInput, checked_text

# The widest numeric column (18 digits, 4 decimals) holds less than 10^14; services apply business limits.
COLUMN_LIMIT = Decimal(10) ** 14
PAGE_ARGUMENTS = frozenset({"first", "last", "offset", "limit"})


def check_arguments(arguments: Mapping[str, Any], prefix: str = "") -> None:
    for name, value in arguments.items():
        field = f"{prefix}{_camel(name)}"
        check_value(value, field, name in PAGE_ARGUMENTS)


def check_value(value: Any, field: str, page_bound: bool = False) -> None:
    if isinstance(value, str):
        checked_text(value, field)
    elif isinstance(value, bool):
        return
    elif isinstance(value, Decimal | float):
        if (isinstance(value, Decimal) and not value.is_finite()) or (isinstance(value, float) and not math.isfinite(value)):
            raise InvalidInput(_("Not a number."), field=field, code=InputErrorCode.NOT_A_NUMBER)
        if abs(Decimal(value)) >= COLUMN_LIMIT:
            raise InputOutOfRange(_("The number is too large."), field=field)
    elif isinstance(value, int):
        if page_bound and value < 0:
            raise InputOutOfRange(_("Must not be negative."), field=field)
    elif isinstance(value, Mapping):
        check_arguments(value, f"{field}.")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_value(item, f"{field}.{index}")


class InputGuardMiddleware:
    """Graphene middleware: refuse bad scalars in a field's arguments with a typed error naming the argument."""

    def resolve(self, next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        if kwargs:
            check_arguments(kwargs)
        return next_(root, info, **kwargs)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
