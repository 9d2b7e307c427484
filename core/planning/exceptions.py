"""Planning errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext as _

from core.errors import DomainError


class PlanningErrorCode(str, Enum):
    PROPOSAL_NOT_OPEN = "PROPOSAL_NOT_OPEN"
    UNKNOWN_PROPOSAL = "UNKNOWN_PROPOSAL"
    NO_PROPOSALS = "NO_PROPOSALS"
    FINE_TUNE_NOT_ALLOWED = "FINE_TUNE_NOT_ALLOWED"
    NO_DEMAND_HISTORY = "NO_DEMAND_HISTORY"
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    INVALID_PROMOTION = "INVALID_PROMOTION"


class ProposalNotOpen(DomainError):
    """The proposal was already rejected or ordered."""

    code = PlanningErrorCode.PROPOSAL_NOT_OPEN.value
    field = "ids"


class UnknownProposal(DomainError):
    code = PlanningErrorCode.UNKNOWN_PROPOSAL.value
    field = "ids"


class NoProposals(DomainError):
    code = PlanningErrorCode.NO_PROPOSALS.value
    field = "ids"


class FineTuneNotAllowed(DomainError):
    """The upload is rejected, or a fine-tune from it is already running."""

    code = PlanningErrorCode.FINE_TUNE_NOT_ALLOWED.value
    field = "uploadId"

    def __init__(self, status: str) -> None:
        super().__init__(_("This upload cannot start a fine-tune now (it is %(status)s).") % {"status": status})


class NoDemandHistory(DomainError):
    code = PlanningErrorCode.NO_DEMAND_HISTORY.value

    def __init__(self) -> None:
        super().__init__(_("There is no demand history yet: upload sales first."))


class UploadTooLarge(DomainError):
    code = PlanningErrorCode.UPLOAD_TOO_LARGE.value
    field = "file"

    def __init__(self, max_mb: int) -> None:
        super().__init__(_("The file is larger than %(mb)d MB.") % {"mb": max_mb})


class InvalidPromotion(DomainError):
    code = PlanningErrorCode.INVALID_PROMOTION.value
