"""Range limits for what users type: quantities, money, days, and text without NUL characters.

The database would refuse most of these values itself, but as an untyped error after part of the work is
done (numeric overflow, NUL in a text column), or not at all: a shelf life of 2^31−1 days is stored and
then breaks every later receipt of the item (its expiry date overflows). Services and importers check
here first, and the user gets a typed error naming the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

# One line of stock: a billion base units is beyond any business this app serves and far inside the
# ledger's columns (18 digits, 4 decimals, summed over many moves).
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_PRICE = Decimal("1000000000")
MAX_MONEY = Decimal("1000000000000")
MAX_DAYS = 36_500  # a century: shelf lives, lead times, horizons
MAX_PAGE_OFFSET = 1_000_000


class InputErrorCode(str, Enum):
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    INVALID_CHARACTER = "INVALID_CHARACTER"
    INVALID_INPUT = "INVALID_INPUT"


class InputOutOfRange(DomainError):
    code = InputErrorCode.OUT_OF_RANGE.value


class InvalidInput(DomainError):
    code = InputErrorCode.INVALID_INPUT.value


def checked_decimal(value: Any, field: str, *, maximum: Decimal = MAX_QUANTITY, minimum: Decimal | None = None) -> Decimal:
    """`value` as a finite Decimal within ±maximum (and ≥ minimum when given), or a typed error on `field`."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Not a number."), field=field, code=InputErrorCode.NOT_A_NUMBER) from None
    if not number.is_finite():
        raise InvalidInput(_("Not a number."), field=field, code=InputErrorCode.NOT_A_NUMBER)
    if abs(number) > maximum:
        raise InputOutOfRange(_("At most %(limit)s.") % {"limit": f"{maximum:,.0f}"}, field=field)
    if minimum is not None and number < minimum:
        raise InputOutOfRange(_("At least %(limit)s.") % {"limit": minimum}, field=field)
    return number


def checked_days(value: int | None, field: str, *, minimum: int = 0, maximum: int = MAX_DAYS) -> int | None:
    """A number of days within [minimum, maximum]; None stays None (not given)."""
    if value is None:
        return None
    if not minimum <= value <= maximum:
        raise InputOutOfRange(_("Must be between %(low)d and %(high)d days.") % {"low": minimum, "high": maximum}, field=field)
    return value


def checked_text(value: str, field: str) -> str:
    """Text PostgreSQL can store: no NUL character."""
    if "\x00" in value:
        raise InvalidInput(_("Contains a NUL character."), field=field, code=InputErrorCode.INVALID_CHARACTER)
    return value
