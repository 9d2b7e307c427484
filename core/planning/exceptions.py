"""Planning errors with stable codes (they reach GraphQL clients as typed errors)."""

from __future__ import annotations

from enum import Enum

from core.errors import DomainError


class PlanningErrorCode(str, Enum):
    PROPOSAL_NOT_OPEN = "PROPOSAL_NOT_OPEN"
    UNKNOWN_PROPOSAL = "UNKNOWN_PROPOSAL"
    NO_PROPOSALS = "NO_PROPOSALS"


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
