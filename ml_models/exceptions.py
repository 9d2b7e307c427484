"""Errors of the demand-model library, with stable codes the API layer can show."""

from __future__ import annotations

from enum import Enum


class MLErrorCode(str, Enum):
    NOT_ENOUGH_HISTORY = "not_enough_history"
    NO_CHAMPION = "no_champion"
    NOTHING_TO_ROLL_BACK = "nothing_to_roll_back"
    TRACKING_NOT_CONFIGURED = "tracking_not_configured"


class ModelRegistryError(Exception):
    code: MLErrorCode

    def __init__(self, message: str, code: MLErrorCode) -> None:
        super().__init__(message)
        self.code = code


class NoChampion(ModelRegistryError):
    def __init__(self, name: str) -> None:
        super().__init__(f"model {name!r} has no champion version", MLErrorCode.NO_CHAMPION)


class NothingToRollBack(ModelRegistryError):
    def __init__(self, name: str) -> None:
        super().__init__(f"model {name!r} has no earlier champion to roll back to", MLErrorCode.NOTHING_TO_ROLL_BACK)
