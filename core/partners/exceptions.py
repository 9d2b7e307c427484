"""Partner errors with stable codes."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class PartnerErrorCode(str, Enum):
    DUPLICATE_CODE = "DUPLICATE_CODE"
    INVALID_LEAD_TIME = "INVALID_LEAD_TIME"
    DUPLICATE_TERMS = "DUPLICATE_TERMS"


class DuplicatePartnerCode(DomainError):
    code = PartnerErrorCode.DUPLICATE_CODE.value
    field = "code"


class InvalidLeadTime(DomainError):
    code = PartnerErrorCode.INVALID_LEAD_TIME.value
    field = "days"


class DuplicateSupplierTerms(DomainError):
    """The supplier already has terms for this item: edit them instead."""

    code = PartnerErrorCode.DUPLICATE_TERMS.value
    field = "item"
