"""Restaurant errors with stable codes; messages are in the reader's language (gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from core.errors import DomainError


class RestaurantErrorCode(str, Enum):
    DUPLICATE_CODE = "DUPLICATE_CODE"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_RECIPE = "INVALID_RECIPE"
    RECIPE_LOOP = "RECIPE_LOOP"
    NO_RECIPE = "NO_RECIPE"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    INVALID_TICKET_LINES = "INVALID_TICKET_LINES"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INFEASIBLE_SCHEDULE = "INFEASIBLE_SCHEDULE"
    INVALID_SCHEDULE_INPUT = "INVALID_SCHEDULE_INPUT"


class RestaurantError(DomainError):
    code = RestaurantErrorCode.NOT_FOUND.value


class DuplicateCode(RestaurantError):
    code = RestaurantErrorCode.DUPLICATE_CODE.value
    field = "code"


class NotFound(RestaurantError):
    code = RestaurantErrorCode.NOT_FOUND.value
    field = "id"


class UnknownItem(RestaurantError):
    code = RestaurantErrorCode.UNKNOWN_ITEM.value
    field = "itemId"


class UnknownUnit(RestaurantError):
    code = RestaurantErrorCode.UNKNOWN_UNIT.value
    field = "unit"


class InvalidQuantity(RestaurantError):
    code = RestaurantErrorCode.INVALID_QUANTITY.value
    field = "quantity"


class InvalidRecipe(RestaurantError):
    code = RestaurantErrorCode.INVALID_RECIPE.value
    field = "lines"


class RecipeLoop(RestaurantError):
    """A recipe that would use itself through its sub-recipes (A uses B uses A); `path` names the loop."""

    code = RestaurantErrorCode.RECIPE_LOOP.value
    field = "lines"

    def __init__(self, message: str, path: list[str]) -> None:
        super().__init__(message)
        self.path = path


class NoRecipe(RestaurantError):
    code = RestaurantErrorCode.NO_RECIPE.value
    field = "dishId"


class BadSignature(RestaurantError):
    code = RestaurantErrorCode.BAD_SIGNATURE.value
    field = "signature"


class BatchSizeRefused(RestaurantError):
    code = RestaurantErrorCode.TOO_MANY_LINES.value
    field = "lines"


@dataclass(frozen=True, order=True)
class BadTicketLine:
    """Why one line of a POS batch was refused; `row` counts from 0 in the order sent."""

    row: int
    field: str
    message: str


class TicketLinesRejected(RestaurantError):
    """A batch with malformed lines: every bad line is reported and nothing of the batch is stored.
    (A well-formed line for an unknown dish is not malformed: it goes to the review queue.)"""

    code = RestaurantErrorCode.INVALID_TICKET_LINES.value
    field = "lines"

    def __init__(self, bad_rows: list[BadTicketLine], message: str) -> None:
        super().__init__(message)
        self.bad_rows = bad_rows


class WasteRefused(RestaurantError):
    code = RestaurantErrorCode.INSUFFICIENT_STOCK.value
    field = "quantity"


class InfeasibleSchedule(RestaurantError):
    """No roster satisfies the hard constraints; `blocking` names the constraint that makes it so."""

    code = RestaurantErrorCode.INFEASIBLE_SCHEDULE.value
    field = "schedule"

    def __init__(self, message: str, blocking: str) -> None:
        super().__init__(message)
        self.blocking = blocking


class InvalidScheduleInput(RestaurantError):
    code = RestaurantErrorCode.INVALID_SCHEDULE_INPUT.value
    field = "schedule"
