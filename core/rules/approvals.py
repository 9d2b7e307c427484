"""Approvals (审批): open the request a vetoed transition leaves, decide it by role, retry the transition on approval.

The flow: a `require_approval` rule vetoes a transition (core/rules/transitions.py). The veto rolls back the
document change, and the request is opened after that rollback (a follow-up on the TransitionVetoed error), so
it survives. An approver whose role is at least the request's role decides it here: an approval retries the
recorded transition as the approver, a rejection leaves the document where it was and tells the requester.
Both land on the document's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Actor
from core.errors import DomainError, run_after_rollback
from core.events.pipeline import transition
from core.events.services import record_event
from core.events.timeline import document_model
from core.rules.models import ApprovalRequest, RuleNotification
from tenants.accounts.roles import Role

APPROVAL_GRANTED_SUFFIX = "approval_granted"
APPROVAL_REJECTED_SUFFIX = "approval_rejected"
NOTE_MAX_LENGTH = 2000


class ApprovalErrorCode(StrEnum):
    APPROVAL_NOT_FOUND = "APPROVAL_NOT_FOUND"
    APPROVAL_ALREADY_DECIDED = "APPROVAL_ALREADY_DECIDED"
    APPROVAL_ROLE_TOO_LOW = "APPROVAL_ROLE_TOO_LOW"
    APPROVAL_NOTE_TOO_LONG = "APPROVAL_NOTE_TOO_LONG"


class ApprovalError(DomainError):
    code = ApprovalErrorCode.APPROVAL_NOT_FOUND.value


@dataclass(frozen=True)
class ApprovalNeed:
    """What a require_approval verdict asks for, and the transition it stopped (empty outside a transition)."""

    rule_id: int
    version_id: int
    subject_type: str
    subject_id: str
    role: str
    reason: str
    event_id: str = ""
    from_state: str = ""
    to_state: str = ""
    requested_by: str = ""


@dataclass(frozen=True)
class ApprovalDecision:
    """The decided request; after an approval, whether the recorded transition went through or why not."""

    request: ApprovalRequest
    retried: bool = False
    retry_error: DomainError | None = None


def open_approval_request(need: ApprovalNeed) -> ApprovalRequest:
    """The one pending request for (rule, subject): found, or created. Idempotent under concurrency.

    The partial unique constraint `rules_one_pending_approval` is the key: two clerks resubmitting at once both
    reach the INSERT, one wins, the other reads the winner's row. A pending request opened without its
    transition (e.g. by an evaluation outside the pipeline) learns it from the first vetoed transition.
    """
    existing, created = ApprovalRequest.objects.get_or_create(
        rule_id=need.rule_id,
        subject_type=need.subject_type,
        subject_id=need.subject_id,
        status=ApprovalRequest.Status.PENDING,
        defaults={
            "version_id": need.version_id,
            "role": need.role,
            "reason": need.reason,
            "event_id": need.event_id,
            "from_state": need.from_state,
            "to_state": need.to_state,
            "requested_by": need.requested_by[:200],
        },
    )
    if created:
        return existing
    if need.to_state and not existing.to_state:
        existing.from_state, existing.to_state, existing.requested_by = need.from_state, need.to_state, need.requested_by
        existing.save(update_fields=["from_state", "to_state", "requested_by"])
    return existing


def role_can_decide(user_role: str, request_role: str) -> bool:
    """owner > admin > manager > clerk > viewer: a role decides requests addressed to it or to any lower role."""
    return Role(user_role).rank >= Role(request_role).rank


def decidable_roles(user_role: str) -> list[str]:
    return [role.value for role in Role if role_can_decide(user_role, role.value)]


def _approver_role(actor: Actor) -> str:
    # An approval is a person's decision: an API key holds a permission ceiling, not a role.
    if actor.api_key is not None or actor.user is None or not actor.is_authenticated:
        raise ApprovalError(
            "Only a signed-in person can decide an approval.", field="id", code=ApprovalErrorCode.APPROVAL_ROLE_TOO_LOW
        )
    return str(actor.user.role)


def _lock_pending(request_id: int, actor: Actor) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().select_related("rule").filter(pk=request_id).first()
    if request is None:
        raise ApprovalError(
            f"Approval request {request_id} does not exist.", field="id", code=ApprovalErrorCode.APPROVAL_NOT_FOUND
        )
    if request.status != ApprovalRequest.Status.PENDING:
        raise ApprovalError(
            f"Approval request {request_id} was already {request.status} by {request.decided_by}.",
            field="id",
            code=ApprovalErrorCode.APPROVAL_ALREADY_DECIDED,
        )
    role = _approver_role(actor)
    if not role_can_decide(role, request.role):
        raise ApprovalError(
            f"This request needs the role '{request.role}' or higher; yours is '{role}'.",
            field="id",
            code=ApprovalErrorCode.APPROVAL_ROLE_TOO_LOW,
        )
    return request


def subject_document(request: ApprovalRequest) -> models.Model | None:
    """The pipeline document the request is about, if its subject is one (rules also judge non-documents)."""
    model = document_model(request.subject_type)
    if model is None or not request.subject_id.isdigit():
        return None
    return model._default_manager.filter(pk=int(request.subject_id)).first()


def _record_on_timeline(request: ApprovalRequest, suffix: str, approver: str) -> None:
    if document_model(request.subject_type) is None or not request.subject_id.isdigit():
        return
    payload = {"approval_request": request.pk, "rule": request.rule.name, "role": request.role, "note": request.decision_note}
    record_event(
        f"{request.subject_type}.{suffix}", request.subject_type, int(request.subject_id), actor=approver, payload=payload
    )


def _notify_requester(request: ApprovalRequest, document: models.Model | None) -> None:
    if not request.requested_by:
        return
    label = getattr(document, "number", "") or f"{request.subject_type} #{request.subject_id}"
    message = _("%(document)s: approval rejected by %(approver)s (rule %(rule)s).") % {
        "document": label,
        "approver": request.decided_by,
        "rule": request.rule.name,
    }
    if request.decision_note:
        message += " " + request.decision_note
    RuleNotification.objects.create(
        version_id=request.version_id,
        channel=f"user:{request.requested_by}"[:80],
        message=message,
        subject_type=request.subject_type,
        subject_id=request.subject_id,
        event_id=f"approval:{request.pk}",
    )


def _retry_transition(request: ApprovalRequest, approver: str) -> tuple[bool, DomainError | None]:
    """Move the document along the vetoed transition as the approver; a refusal keeps the approval recorded.

    A document whose approval step is a state of its own (`APPROVAL_CONTINUES`, e.g. a purchase order
    submitted → approved) goes on to it too, so nobody has to approve the same order twice."""
    document = subject_document(request)
    if document is None or not request.to_state:
        return False, None
    payload = {"approval_request": request.pk}
    try:
        with transaction.atomic():  # a savepoint: a veto by another rule rolls back only the retry
            moved = transition(document, request.to_state, actor=approver, payload=payload)
            then = getattr(type(document), "APPROVAL_CONTINUES", {}).get(request.to_state)
            if then and then in getattr(type(document), "TRANSITIONS", {}).get(moved.state, ()):  # type: ignore[attr-defined]
                transition(moved, then, actor=approver, reason="approved_by_rule", payload=payload)
    except DomainError as error:
        # The retry's own follow-ups (e.g. a second rule's approval request) must outlive its savepoint.
        run_after_rollback(error)
        return False, error
    return True, None


@transaction.atomic
def decide_approval(request_id: int, *, approve: bool, actor: Actor, note: str = "") -> ApprovalDecision:
    """Approve or reject a pending request as `actor`, whose role must be at least the request's role.

    On approval the recorded transition is retried as the approver; if another rule vetoes it, the approval
    stays and the refusal comes back in `retry_error`. On rejection the document stays put, the rejection goes
    on its timeline and the requester gets a notification.
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ApprovalError(
            f"The note is longer than {NOTE_MAX_LENGTH} characters.", field="note", code=ApprovalErrorCode.APPROVAL_NOTE_TOO_LONG
        )
    request = _lock_pending(request_id, actor)
    approver = actor.label()
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = approver, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record_on_timeline(request, APPROVAL_GRANTED_SUFFIX if approve else APPROVAL_REJECTED_SUFFIX, approver)
    if not approve:
        _notify_requester(request, subject_document(request))
        return ApprovalDecision(request)
    retried, error = _retry_transition(request, approver)
    return ApprovalDecision(request, retried=retried, retry_error=error)


# --- reading --------------------------------------------------------------------------------------------------


def approval_list(*, status: str | None = None, roles: list[str] | None = None) -> QuerySet[ApprovalRequest]:
    """Requests newest first, with their rule; `roles` keeps those addressed to one of these roles."""
    requests = ApprovalRequest.objects.select_related("rule").order_by("-created_at", "-pk")
    if status:
        requests = requests.filter(status=status)
    if roles is not None:
        requests = requests.filter(role__in=roles)
    return requests


def documents_of(keys: list[tuple[str, str]]) -> dict[tuple[str, str], models.Model]:
    """The pipeline documents behind (subject_type, subject_id) keys: one query per document type."""
    wanted: dict[str, set[int]] = {}
    for subject_type, subject_id in keys:
        if subject_id.isdigit() and document_model(subject_type) is not None:
            wanted.setdefault(subject_type, set()).add(int(subject_id))
    found: dict[tuple[str, str], models.Model] = {}
    for subject_type, ids in wanted.items():
        model = document_model(subject_type)
        assert model is not None  # filtered above
        for pk, document in model._default_manager.in_bulk(list(ids)).items():
            found[(subject_type, str(pk))] = document
    return found
