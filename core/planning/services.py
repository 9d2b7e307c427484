"""Replenishment workflows: run the service-level policy over inventory positions, approve proposals into orders.

Replenishment reads only inventory position (on hand + open purchase quantity + in transit − reserved −
backorders), never on hand: that is what keeps 23 stores from reordering stock already on its way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.access import Actor, actor_label
from core.events.services import record_event, record_events
from core.inventory.position import inventory_positions
from core.logistics.services import TransferLineInput, create_transfer
from core.planning import policy, selectors
from core.planning.exceptions import NoProposals, ProposalNotOpen, UnknownProposal
from core.planning.models import (
    OPEN_PROPOSAL_STATES,
    ProposalState,
    ReplenishmentProposal,
    ReplenishmentRun,
    SourcingRule,
)
from core.purchasing.services import OrderLineInput, create_purchase_order

ZERO = Decimal("0")


def lead_time_of(rule: SourcingRule) -> policy.LeadTime:
    if rule.supplier is not None:
        supplier = rule.supplier
        return policy.supplier_lead_time(
            supplier.declared_lead_time_days,
            supplier.learned_lead_time_mean_days,
            supplier.learned_lead_time_std_days,
            supplier.lead_time_samples,
        )
    return policy.supplier_lead_time(rule.transfer_lead_time_days, None, None)


@transaction.atomic
def run_replenishment(
    location_ids: Sequence[int] | None = None,
    *,
    run_key: str,
    actor: Actor | str = "system",
    today: date | None = None,
) -> ReplenishmentRun:
    """Propose an order for every sourced item × location whose inventory position is below its reorder point.

    Idempotent per `run_key`: a second call returns the first run and proposes nothing. A pair that already
    has an open (proposed/approved) proposal is skipped, and the partial unique index on open proposals
    settles a race between two concurrent runs (the loser's row is dropped by ON CONFLICT DO NOTHING).
    """
    run, created = ReplenishmentRun.objects.get_or_create(run_key=run_key, defaults={"actor": actor_label(actor)})
    if not created:
        return run
    today = today or timezone.localdate()
    rules = SourcingRule.objects.filter(active=True).select_related("item", "supplier").order_by("pk")
    if location_ids is not None:
        rules = rules.filter(location_id__in=list(location_ids))
    rules_list = list(rules)
    pairs = [(rule.item_id, rule.location_id) for rule in rules_list]
    open_pairs = set(ReplenishmentProposal.objects.filter(state__in=OPEN_PROPOSAL_STATES).values_list("item_id", "location_id"))
    positions = inventory_positions(pairs)
    lead_times = {rule.pk: lead_time_of(rule) for rule in rules_list}
    horizon = max((math.ceil(lead_times[rule.pk].mean_days) + rule.review_period_days for rule in rules_list), default=0)
    bands = selectors.forecast_bands(pairs, today, horizon)
    overrides = selectors.service_level_overrides()
    factors = selectors.safety_stock_factors(
        ((rule.item_id, rule.item.category_id, rule.location_id) for rule in rules_list), today
    )

    proposals: list[ReplenishmentProposal] = []
    for rule in rules_list:
        pair = (rule.item_id, rule.location_id)
        if pair in open_pairs:
            continue
        lead_time = lead_times[rule.pk]
        window = math.ceil(lead_time.mean_days) + rule.review_period_days
        service_level = rule.service_level or policy.service_level_for(rule.item.abc_class, rule.item.xyz_class, overrides)
        factor = factors.get(pair, policy.ONE)
        figures = policy.policy_figures(
            bands.get(pair, [])[:window], lead_time, service_level, rule.review_period_days, safety_stock_factor=factor
        )
        position = positions.get(pair, ZERO)
        moq = max(rule.item.moq, rule.supplier.moq if rule.supplier is not None else ZERO)
        quantity = policy.order_quantity(figures, position, moq=moq, pack_size=rule.item.pack_size)
        if quantity <= 0:
            continue
        proposals.append(
            ReplenishmentProposal(
                run=run,
                item_id=rule.item_id,
                location_id=rule.location_id,
                supplier_id=rule.supplier_id,
                source_location_id=rule.source_location_id,
                quantity=quantity,
                inventory_position=position,
                lead_time_demand=figures.lead_time_demand,
                safety_stock=figures.safety_stock,
                reorder_point=figures.reorder_point,
                order_up_to=figures.order_up_to,
                service_level=service_level,
                reason=(
                    f"position {position} < reorder point {figures.reorder_point} "
                    f"(lead-time demand {figures.lead_time_demand} over {lead_time.mean_days} d "
                    f"± {lead_time.std_days} d, safety stock {figures.safety_stock} at {service_level}"
                    + (f", adjusted ×{factor}" if factor != policy.ONE else "")
                    + ")"
                ),
            )
        )
    ReplenishmentProposal.objects.bulk_create(proposals, batch_size=1000, ignore_conflicts=True)
    run.pairs_evaluated = len(rules_list)
    run.proposals_created = ReplenishmentProposal.objects.filter(run=run).count()
    run.save(update_fields=["pairs_evaluated", "proposals_created"])
    _record_below_reorder_point(run, actor_label(actor))
    record_event(
        "planning.replenishment_run",
        "replenishment_run",
        run.pk,
        actor=actor_label(actor),
        payload={"run_key": run_key, "pairs": run.pairs_evaluated, "proposals": run.proposals_created},
    )
    return run


BELOW_REORDER_POINT = "stock.below_reorder_point"


def _record_below_reorder_point(run: ReplenishmentRun, actor: str) -> None:
    """One `stock.below_reorder_point` event per new proposal (rules and integrators react to it).

    Only the proposals this run created: a pair that already has an open proposal was reported by the run
    that proposed it, so a rerun while goods are on order raises no second alarm.
    """
    rows = ReplenishmentProposal.objects.filter(run=run).values_list(
        "pk", "item_id", "location_id", "inventory_position", "reorder_point", "safety_stock", "quantity"
    )
    record_events(
        BELOW_REORDER_POINT,
        "replenishment_proposal",
        [
            (
                pk,
                {
                    "item_id": item_id,
                    "location_id": location_id,
                    "inventory_position": str(position),
                    "reorder_point": str(reorder_point),
                    "safety_stock": str(safety_stock),
                    "proposed_quantity": str(quantity),
                    "run_key": run.run_key,
                },
            )
            for pk, item_id, location_id, position, reorder_point, safety_stock, quantity in rows
        ],
        actor=actor,
    )


def _locked_open_proposals(ids: Sequence[int]) -> list[ReplenishmentProposal]:
    if not ids:
        raise NoProposals("Choose at least one proposal.")
    locked = list(ReplenishmentProposal.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk"))
    missing = set(ids) - {p.pk for p in locked}
    if missing:
        raise UnknownProposal(f"Unknown proposals: {sorted(missing)}.")
    closed = [p.pk for p in locked if p.state not in OPEN_PROPOSAL_STATES]
    if closed:
        raise ProposalNotOpen(f"Proposals {closed} were already decided.")
    return locked


@transaction.atomic
def approve_proposals(ids: Sequence[int], *, actor: Actor | str) -> list[ReplenishmentProposal]:
    """One approval: the proposals become draft purchase orders (one per supplier × destination) and draft
    transfers (one per source × destination). Until a draft is submitted or shipped, the planning position
    source counts it, so the next run does not propose the same stock again."""
    label = actor_label(actor)
    locked = _locked_open_proposals(ids)
    rules = {
        (r.item_id, r.location_id): r
        for r in SourcingRule.objects.filter(
            item_id__in={p.item_id for p in locked}, location_id__in={p.location_id for p in locked}
        )
    }
    by_supplier: dict[tuple[int, int], list[ReplenishmentProposal]] = defaultdict(list)
    by_source: dict[tuple[int, int], list[ReplenishmentProposal]] = defaultdict(list)
    for proposal in locked:
        if proposal.supplier_id is not None:
            by_supplier[(proposal.supplier_id, proposal.location_id)].append(proposal)
        else:
            by_source[(proposal.source_location_id, proposal.location_id)].append(proposal)  # type: ignore[index]
    now = timezone.now()
    for group in by_supplier.values():
        first = group[0]
        po = create_purchase_order(
            supplier=first.supplier,  # type: ignore[arg-type]  # grouped by supplier: never None here
            destination=first.location,
            lines=[
                OrderLineInput(
                    item_id=p.item_id,
                    quantity=p.quantity,
                    unit_price=getattr(rules.get((p.item_id, p.location_id)), "unit_price", ZERO),
                )
                for p in group
            ],
            actor=label,
            notes="Replenishment proposal",
        )
        _mark_ordered(group, "purchase_order", po.pk, label, now)
    for group in by_source.values():
        first = group[0]
        transfer = create_transfer(
            from_location=first.source_location,  # type: ignore[arg-type]
            to_location=first.location,
            lines=[TransferLineInput(item_id=p.item_id, quantity=p.quantity) for p in group],
            actor=label,
            notes="Replenishment proposal",
        )
        _mark_ordered(group, "transfer", transfer.pk, label, now)
    return locked


def _mark_ordered(group: list[ReplenishmentProposal], document_type: str, document_id: int, actor: str, now: datetime) -> None:
    for proposal in group:
        proposal.state = ProposalState.ORDERED
        proposal.document_type = document_type
        proposal.document_id = document_id
        proposal.decided_at = now
        proposal.decided_by = actor
    ReplenishmentProposal.objects.bulk_update(group, ["state", "document_type", "document_id", "decided_at", "decided_by"])
    record_event(
        "planning.proposals_ordered",
        document_type,
        document_id,
        actor=actor,
        payload={"proposals": [p.pk for p in group]},
    )


@transaction.atomic
def reject_proposals(ids: Sequence[int], *, actor: Actor | str, reason: str = "") -> list[ReplenishmentProposal]:
    locked = _locked_open_proposals(ids)
    now = timezone.now()
    for proposal in locked:
        proposal.state = ProposalState.REJECTED
        proposal.decided_at = now
        proposal.decided_by = actor_label(actor)
        proposal.reason = f"{proposal.reason}\nrejected: {reason}".strip()
    ReplenishmentProposal.objects.bulk_update(locked, ["state", "decided_at", "decided_by", "reason"])
    return locked
