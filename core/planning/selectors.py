"""Planning reads: forecast bands and their explanations per item × location, service levels, proposals, and
planned inbound quantities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Subquery, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.catalog.models import Category
from core.planning.models import (
    DemandForecast,
    DemandHistoryRow,
    DemandHistoryUpload,
    ForecastExplanation,
    ProposalState,
    ReplenishmentProposal,
    ReplenishmentRun,
    SafetyStockAdjustment,
    ServiceLevelPolicy,
)
from core.planning.policy import DailyBand, adjustment_factor


def forecast_bands(pairs: Iterable[tuple[int, int]], start: date, days: int) -> dict[tuple[int, int], list[DailyBand]]:
    """The daily bands from `start` for `days` days, from the latest forecast run of each pair (one query)."""
    wanted = set(pairs)
    if not wanted or days <= 0:
        return {}
    item_ids = {item for item, _ in wanted}
    location_ids = {location for _, location in wanted}
    rows = (
        DemandForecast.objects.filter(
            item_id__in=item_ids,
            location_id__in=location_ids,
            forecast_date__gte=start,
            forecast_date__lt=start + timedelta(days=days),
        )
        .order_by("item_id", "location_id", "-made_on", "forecast_date")
        .values_list("item_id", "location_id", "made_on", "p10", "p50", "p90")
    )
    latest: dict[tuple[int, int], date] = {}
    bands: dict[tuple[int, int], list[DailyBand]] = defaultdict(list)
    for item_id, location_id, made_on, p10, p50, p90 in rows.iterator(chunk_size=5000):
        pair = (item_id, location_id)
        if pair not in wanted:
            continue
        if latest.setdefault(pair, made_on) != made_on:
            continue  # an older run of the same days
        bands[pair].append(DailyBand(p10, p50, p90))
    return dict(bands)


def forecasts(item_id: int, location_id: int, *, start: date | None = None) -> QuerySet[DemandForecast]:
    """The latest run's forecast for one pair, day by day."""
    queryset = DemandForecast.objects.filter(item_id=item_id, location_id=location_id)
    made_on = queryset.order_by("-made_on").values_list("made_on", flat=True).first()
    if made_on is None:
        return queryset.none()
    queryset = queryset.filter(made_on=made_on)
    if start is not None:
        queryset = queryset.filter(forecast_date__gte=start)
    return queryset.order_by("forecast_date")


# The feature families a forecast is explained by (ml_models.features.FeatureLayout.families), in the order a
# person reads them, with the words they read.
EXPLANATION_FAMILIES: dict[str, Promise] = {
    "lags": _("Recent demand (lags)"),
    "calendar": _("Calendar & holidays"),
    "price_promo": _("Price & promotion"),
    "signals": _("Signals: weather / delivery demand"),
}


@dataclass(frozen=True)
class Contribution:
    """What one feature family adds to (or takes from) the P50 total, in demand units."""

    family: str
    label: str
    value: Decimal


def latest_explanation(item_id: int, location_id: int, *, on: date | None = None) -> ForecastExplanation | None:
    """The explanation of the pair's latest forecast run (made on or before `on` when given); one query.

    None when that run has no explanation (baseline forecasts, or explaining failed): an older run's explanation
    would describe figures the user no longer sees."""
    runs = DemandForecast.objects.filter(item_id=item_id, location_id=location_id)
    if on is not None:
        runs = runs.filter(made_on__lte=on)
    latest_run = runs.order_by("-made_on").values("made_on")[:1]
    return ForecastExplanation.objects.filter(item_id=item_id, location_id=location_id, made_on=Subquery(latest_run)).first()


def explanation_contributions(explanation: ForecastExplanation) -> list[Contribution]:
    """The stored contributions with translated labels: known families in reading order, any family a newer
    model adds after them under its own code (so nothing the model attributed is hidden)."""
    stored = {str(family): Decimal(str(value)) for family, value in explanation.contributions.items()}
    known = [family for family in EXPLANATION_FAMILIES if family in stored]
    extra = sorted(family for family in stored if family not in EXPLANATION_FAMILIES)
    return [Contribution(family, str(EXPLANATION_FAMILIES.get(family, family)), stored[family]) for family in known + extra]


def service_level_overrides() -> dict[str, Decimal]:
    return {f"{p.abc_class}{p.xyz_class}".upper(): p.service_level for p in ServiceLevelPolicy.objects.all()}


def proposals(*, states: Iterable[str] | None = None, location_id: int | None = None) -> QuerySet[ReplenishmentProposal]:
    queryset = ReplenishmentProposal.objects.select_related("item", "location", "supplier", "source_location")
    if states:
        queryset = queryset.filter(state__in=list(states))
    if location_id is not None:
        queryset = queryset.filter(location_id=location_id)
    return queryset.order_by("-created_at", "-pk")


def safety_stock_adjustments(*, in_force_from: date | None = None) -> QuerySet[SafetyStockAdjustment]:
    """Safety-stock adjustments (left by rules or by hand), latest period first; with `in_force_from`, only those
    still in force on or after that day (current and upcoming)."""
    queryset = SafetyStockAdjustment.objects.select_related("location")
    if in_force_from is not None:
        queryset = queryset.filter(ends_on__gte=in_force_from)
    return queryset.order_by("-starts_on", "-pk")


def recent_runs() -> QuerySet[ReplenishmentRun]:
    """Replenishment runs, newest first."""
    return ReplenishmentRun.objects.order_by("-started_at", "-pk")


def drafted_replenishment(item_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Inventory-position source: ordered proposals whose purchase order or transfer is still a draft.

    A draft document counts nowhere else (open purchase quantity starts at `submitted`, transit at shipping),
    so without this an approved-but-unsent order would be proposed again by the next run."""
    from core.logistics.models import TransferOrder, TransferState
    from core.purchasing.models import PurchaseOrder, PurchaseOrderState

    ordered = ReplenishmentProposal.objects.filter(
        state=ProposalState.ORDERED, item_id__in=item_ids, location_id__in=location_ids
    )
    draft_pos = PurchaseOrder.objects.filter(state=PurchaseOrderState.DRAFT).values("pk")
    draft_transfers = TransferOrder.objects.filter(state=TransferState.DRAFT).values("pk")
    rows = (
        (
            ordered.filter(document_type="purchase_order", document_id__in=draft_pos)
            | ordered.filter(document_type="transfer", document_id__in=draft_transfers)
        )
        .values("item_id", "location_id")
        .annotate(total=Sum("quantity"))
    )
    return {(r["item_id"], r["location_id"]): r["total"] for r in rows}


def _category_names() -> dict[int, set[str]]:
    """Per category id: its name and its ancestors' names (the category tree is small: one query)."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")}
    names: dict[int, set[str]] = {}
    for pk in rows:
        found, current, seen = set(), pk, set()
        while current is not None and current in rows and current not in seen:  # `seen` guards a cyclic tree
            seen.add(current)
            found.add(rows[current][0])
            current = rows[current][1]
        names[pk] = found
    return names


def safety_stock_factors(targets: Iterable[tuple[int, int | None, int]], today: date) -> dict[tuple[int, int], Decimal]:
    """The safety-stock factor for each (item id, item category id, location id) from the adjustments active on
    `today`, keyed by (item id, location id); pairs with no adjustment are left out.

    One rule firing on Saturday and again on Sunday leaves two overlapping rows: from one source only the largest
    change counts, while different rules (or hand-made rows) add up.
    """
    active = list(
        SafetyStockAdjustment.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("pk")
        .values_list("pk", "category_name", "location_id", "rule_version_id", "percent")
    )
    if not active:
        return {}
    categories = _category_names()
    factors: dict[tuple[int, int], Decimal] = {}
    for item_id, category_id, location_id in targets:
        names = categories.get(category_id, set()) if category_id is not None else set()
        by_source: dict[object, Decimal] = {}
        for pk, category_name, where, version_id, percent in active:
            if category_name not in names or where not in (None, location_id):
                continue
            source = version_id if version_id is not None else f"row:{pk}"
            if abs(percent) > abs(by_source.get(source, Decimal("0"))):
                by_source[source] = percent
        if by_source:
            factors[(item_id, location_id)] = adjustment_factor(by_source)
    return factors


def sales_history_uploads() -> QuerySet[DemandHistoryUpload]:
    return DemandHistoryUpload.objects.order_by("-created_at", "-pk")


def upload_rows(upload_id: int) -> QuerySet[DemandHistoryRow]:
    """The rows an upload added to the demand history (current or since superseded)."""
    return DemandHistoryRow.objects.filter(upload_id=upload_id).select_related("item", "location")
