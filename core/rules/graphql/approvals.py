"""Approvals over GraphQL: the `approvalRequests` connection and the `decideApproval` mutation."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import graphene
from django.db import models
from django.db.models import QuerySet
from graphene_django import DjangoObjectType
from graphene_django.fields import DjangoConnectionField

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.connections import CountedConnection, DataLoader
from core.graphql.errors import Error
from core.rules import approvals
from core.rules.models import ApprovalRequest
from tenants.accounts.roles import Permission


class ApprovalStatus(graphene.Enum):
    """Where an approval request stands."""

    PENDING = ApprovalRequest.Status.PENDING.value
    APPROVED = ApprovalRequest.Status.APPROVED.value
    REJECTED = ApprovalRequest.Status.REJECTED.value


SubjectKey = tuple[str, str]


class SubjectDocumentLoader(DataLoader[SubjectKey, models.Model]):
    """The document each request is about, one query per document type on the page."""

    def batch_load(self, keys: list[SubjectKey]) -> Mapping[SubjectKey, models.Model]:
        return approvals.documents_of(keys)


class ApprovalRequestType(DjangoObjectType):
    status = ApprovalStatus(required=True)
    rule_name = graphene.String(required=True)
    document_number = graphene.String(description="The document's number, when the subject is a document.")
    amount = graphene.Decimal(description="The document's total, when it has one.")

    class Meta:
        model = ApprovalRequest
        name = "ApprovalRequest"
        fields = (
            "id",
            "subject_type",
            "subject_id",
            "role",
            "reason",
            "from_state",
            "to_state",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        )
        use_connection = True
        connection_class = CountedConnection

    @staticmethod
    def resolve_status(root: ApprovalRequest, info: Any) -> str:
        return ApprovalRequest.Status(root.status).value  # a freshly decided row holds the enum member

    @staticmethod
    def resolve_rule_name(root: ApprovalRequest, info: Any) -> str:
        return root.rule.name  # joined by the list resolver

    @staticmethod
    def resolve_document_number(root: ApprovalRequest, info: Any) -> str | None:
        document = SubjectDocumentLoader.for_request(info).load((root.subject_type, root.subject_id))
        return getattr(document, "number", None)

    @staticmethod
    def resolve_amount(root: ApprovalRequest, info: Any) -> Decimal | None:
        document = SubjectDocumentLoader.for_request(info).load((root.subject_type, root.subject_id))
        return getattr(document, "total", None)

    @classmethod
    def prepare_page(cls, nodes: list[ApprovalRequest], info: Any) -> None:
        SubjectDocumentLoader.for_request(info).queue((node.subject_type, node.subject_id) for node in nodes)


class ApprovalQueries(graphene.ObjectType):
    approval_requests = DjangoConnectionField(
        ApprovalRequestType,
        status=ApprovalStatus(),
        mine=graphene.Boolean(default_value=False, description="Only requests the caller's role may decide."),
        description="Approval requests left by require_approval rules, newest first.",
    )

    @staticmethod
    def resolve_approval_requests(
        root: Any, info: Any, mine: bool, status: str | None = None, **kwargs: Any
    ) -> QuerySet[ApprovalRequest]:
        user = actor_from_request(info.context).user
        roles = approvals.decidable_roles(str(user.role)) if mine and user is not None else ([] if mine else None)
        return approvals.approval_list(status=getattr(status, "value", status), roles=roles)


class DecideApproval(BaseMutation):
    """Approve or reject; an approval retries the vetoed transition as the approver."""

    approval_request = graphene.Field(ApprovalRequestType)
    retried = graphene.Boolean(description="The vetoed transition was retried and went through (null on an error).")
    retry_error = graphene.Field(Error, description="Why the retried transition was refused; the approval stays.")

    class Arguments:
        id = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        note = graphene.String(default_value="")

    class Meta:
        # Clerks reach the service, which checks the request's own role (a clerk decides clerk-level requests).
        permissions = (Permission.OPERATE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DecideApproval:
        request_id = str(data["id"])
        if not request_id.isdigit():
            raise approvals.ApprovalError(f"'{request_id}' is not an approval request id.", field="id")
        actor = actor_from_request(info.context)
        decision = approvals.decide_approval(int(request_id), approve=data["approve"], actor=actor, note=data["note"])
        error = decision.retry_error
        retry_error = Error(field=error.field, message=str(error), code=error.code) if error is not None else None
        return cls(approval_request=decision.request, retried=decision.retried, retry_error=retry_error, errors=[])


class ApprovalMutations(graphene.ObjectType):
    decide_approval = DecideApproval.Field()
