"""The replenishment page (补货建议): open proposals with the figures behind them, a run button, approve or reject a
selection into draft orders, recent decisions, and the safety-stock adjustments rules have made."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.planning import selectors, services
from core.planning.models import (
    OPEN_PROPOSAL_STATES,
    ProposalState,
    SafetyStockAdjustment,
)
from core.rules.models import RuleVersion
from core.web.decorators import require
from core.web.views.common import actor, new_form_token, remember_token, run_action, token_seen
from core.web.views.timeline import document_url
from tenants.accounts.roles import Permission

OPEN_SHOWN = 200
DECIDED_SHOWN = 20
RUNS_SHOWN = 5
ADJUSTMENTS_SHOWN = 50


@dataclass(frozen=True)
class AdjustmentRow:
    adjustment: SafetyStockAdjustment
    rule_version: RuleVersion | None
    in_force: bool


def _adjustment_rows(rows: list[SafetyStockAdjustment]) -> list[AdjustmentRow]:
    """Each adjustment with the rule version that made it (one query for all of them)."""
    version_ids = {row.rule_version_id for row in rows if row.rule_version_id is not None}
    versions = RuleVersion.objects.select_related("rule").in_bulk(version_ids) if version_ids else {}
    today = timezone.localdate()
    return [AdjustmentRow(row, versions.get(row.rule_version_id or 0), row.starts_on <= today <= row.ends_on) for row in rows]


@require(Permission.VIEW)
def replenishment(request: HttpRequest) -> HttpResponse:
    decided = list(
        selectors.proposals(states=[ProposalState.ORDERED, ProposalState.REJECTED]).order_by("-decided_at", "-pk")[:DECIDED_SHOWN]
    )
    context = {
        "open": list(selectors.proposals(states=[s.value for s in OPEN_PROPOSAL_STATES])[:OPEN_SHOWN]),
        "decided": [(proposal, document_url(proposal.document_type, proposal.document_id)) for proposal in decided],
        "runs": list(selectors.recent_runs()[:RUNS_SHOWN]),
        "adjustments": _adjustment_rows(
            list(selectors.safety_stock_adjustments(in_force_from=timezone.localdate())[:ADJUSTMENTS_SHOWN])
        ),
        "can_manage": actor(request).can(Permission.MANAGE),
        "run_token": new_form_token(),
        "decide_token": new_form_token(),
    }
    return render(request, "web/planning/replenishment.html", context)


@require_POST
@require(Permission.MANAGE)
def replenishment_run(request: HttpRequest) -> HttpResponse:
    """One replenishment run over every location. The form token is the run key, so a double submit returns the
    first run and proposes nothing twice."""
    target = reverse("web:replenishment")
    token = request.POST.get("token", "")
    if not token:
        messages.error(request, _("The form has expired; please try again."))
        return HttpResponseRedirect(target)
    run = services.run_replenishment(run_key=f"web:{token}", actor=actor(request))
    messages.success(
        request,
        ngettext(
            "%(pairs)d item × location checked, %(count)d new proposal.",
            "%(pairs)d item × location checked, %(count)d new proposals.",
            run.proposals_created,
        )
        % {"pairs": run.pairs_evaluated, "count": run.proposals_created},
    )
    return HttpResponseRedirect(target)


@require_POST
@require(Permission.MANAGE)
def replenishment_decide(request: HttpRequest) -> HttpResponse:
    """POST the chosen proposals (`proposal`, repeated) with `decision` approve|reject (and a `reason`)."""
    target = reverse("web:replenishment")
    token = request.POST.get("token", "")
    if token_seen(request, token):  # a double click: the first post already decided
        return HttpResponseRedirect(target)
    decision = request.POST.get("decision")
    ids = [int(value) for value in request.POST.getlist("proposal") if value.isdigit()]
    if decision not in ("approve", "reject") or not ids:
        messages.error(request, _("Choose at least one proposal, then approve or reject."))
        return HttpResponseRedirect(target)
    if decision == "approve":
        run_action(
            request,
            lambda: services.approve_proposals(ids, actor=actor(request)),
            _("Approved: the proposals are now draft purchase orders and transfers."),
        )
    else:
        run_action(
            request,
            lambda: services.reject_proposals(ids, actor=actor(request), reason=request.POST.get("reason", "")[:500]),
            _("Rejected."),
        )
    remember_token(request, token, target)
    return HttpResponseRedirect(target)
