"""The approvals page (审批): pending requests the user's role may decide, approve/reject buttons, recent decisions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.rules import approvals
from core.rules.models import ApprovalRequest
from core.web.decorators import require
from core.web.views.common import actor, error_text, new_form_token, remember_token, run_action, token_seen
from core.web.views.timeline import document_url
from tenants.accounts.roles import Permission

PENDING_SHOWN = 100
DECIDED_SHOWN = 20


@dataclass(frozen=True)
class ApprovalRow:
    request: ApprovalRequest
    document: models.Model | None
    document_url: str

    @property
    def number(self) -> str:
        return str(getattr(self.document, "number", "") or f"{self.request.subject_type} #{self.request.subject_id}")

    @property
    def amount(self) -> Decimal | None:
        return getattr(self.document, "total", None)


def _rows(requests: list[ApprovalRequest]) -> list[ApprovalRow]:
    documents = approvals.documents_of([(r.subject_type, r.subject_id) for r in requests])
    rows = []
    for request in requests:
        document = documents.get((request.subject_type, request.subject_id))
        rows.append(ApprovalRow(request, document, document_url(request.subject_type, getattr(document, "pk", None))))
    return rows


@require(Permission.OPERATE)
def approval_list(request: HttpRequest) -> HttpResponse:
    """GET shows the page; POST decides one request (`request`, `decision` approve|reject, `note`, `token`)."""
    if request.method == "POST":
        return _decide(request)
    user = actor(request).user
    roles = approvals.decidable_roles(str(user.role)) if user is not None else []
    visible = approvals.approval_list(roles=roles)
    context = {
        "pending": _rows(list(visible.filter(status=ApprovalRequest.Status.PENDING)[:PENDING_SHOWN])),
        "decided": _rows(
            list(visible.exclude(status=ApprovalRequest.Status.PENDING).order_by("-decided_at", "-pk")[:DECIDED_SHOWN])
        ),
        "token": new_form_token(),
    }
    return render(request, "web/rules/approvals.html", context)


def _decide(request: HttpRequest) -> HttpResponse:
    target = reverse("web:approval_list")
    token = request.POST.get("token", "")
    if token_seen(request, token):  # a double click: the first post already decided
        return HttpResponseRedirect(target)
    request_id = request.POST.get("request", "")
    approve = request.POST.get("decision") == "approve"
    if not request_id.isdigit() or request.POST.get("decision") not in ("approve", "reject"):
        messages.error(request, _("Choose a request and approve or reject it."))
        return HttpResponseRedirect(target)
    done = _("Approved.") if approve else _("Rejected.")
    decision = run_action(
        request,
        lambda: approvals.decide_approval(
            int(request_id), approve=approve, actor=actor(request), note=request.POST.get("note", "")
        ),
        done,
    )
    if decision is not None and decision.retry_error is not None:
        messages.error(
            request,
            format_html(
                "{} {}",
                _("The approval is recorded, but the document did not move on:"),
                error_text(decision.retry_error),
            ),
        )
    elif decision is not None and decision.retried:
        messages.success(request, _("The document moved on to the next step."))
    remember_token(request, token, target)
    return HttpResponseRedirect(target)
