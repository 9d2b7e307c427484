"""Planning data: stored demand forecasts, service-level targets, sourcing rules, replenishment proposals and
temporary safety-stock adjustments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")


class DemandForecast(models.Model):
    """One day's forecast demand band (P10/P50/P90, base units) for an item × location, as made on `made_on`.

    The nightly forecast job writes one row per future day; a later run adds rows with a later `made_on`,
    so the history of what was forecast stays available for accuracy figures."""

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    made_on = models.DateField()
    forecast_date = models.DateField()
    horizon_days = models.PositiveIntegerField()
    p10 = models.DecimalField(**QTY)
    p50 = models.DecimalField(**QTY)
    p90 = models.DecimalField(**QTY)
    model_name = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "location", "forecast_date", "-made_on")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "location", "forecast_date", "made_on"), name="planning_forecast_unique_item_location_day"
            ),
            models.CheckConstraint(
                condition=Q(p10__gte=0) & Q(p10__lte=models.F("p50")) & Q(p50__lte=models.F("p90")),
                name="planning_forecast_quantiles_ordered",
            ),
        ]
        indexes = [models.Index(fields=("location", "forecast_date"))]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.location_id} {self.forecast_date}: {self.p10}/{self.p50}/{self.p90}"


class ForecastExplanation(models.Model):
    """Why one forecast run of an item × location is what it is: the level the model starts from and what each
    feature family (lags, calendar, price & promotion, signals) adds to the P50 total over the horizon.

    Written beside the DemandForecast rows of the same `made_on`; reference + Σ contributions ≈ p50_total
    (integrated gradients are complete up to their integration error), all in demand units (base units)."""

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    made_on = models.DateField()
    model_name = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    horizon_days = models.PositiveIntegerField()
    reference = models.DecimalField(**QTY)
    p50_total = models.DecimalField(**QTY)
    # {family code: demand units}; the codes are ml_models.features.FeatureLayout.families' keys.
    contributions = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "location", "-made_on")
        constraints = [
            models.UniqueConstraint(fields=("item", "location", "made_on"), name="planning_explanation_unique_item_location_run"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.location_id} {self.made_on}: {self.reference} → {self.p50_total}"


class ServiceLevelPolicy(models.Model):
    """The tenant's target cycle service level per ABC × XYZ class (overrides planning.policy.DEFAULT_SERVICE_LEVELS)."""

    abc_class = models.CharField(max_length=1)
    xyz_class = models.CharField(max_length=1)
    service_level = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        ordering = ("abc_class", "xyz_class")
        constraints = [
            models.UniqueConstraint(fields=("abc_class", "xyz_class"), name="planning_servicelevel_unique_class"),
            models.CheckConstraint(
                condition=Q(service_level__gt=Decimal("0.5")) & Q(service_level__lt=Decimal("1")),
                name="planning_servicelevel_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.abc_class}{self.xyz_class}: {self.service_level}"


class SourcingRule(models.Model):
    """Where an item × location is replenished from: a supplier (purchase order) or a source location (transfer).

    Replenishment only plans the pairs that have an active rule."""

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey("partners.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_period_days = models.PositiveIntegerField(default=7)
    # Transfers have no supplier history: their lead time is declared here.
    transfer_lead_time_days = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("1"))
    service_level = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)  # overrides the class
    unit_price = models.DecimalField(**QTY, default=ZERO)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("location", "item")
        constraints = [
            models.UniqueConstraint(fields=("item", "location"), name="planning_sourcing_unique_item_location"),
            models.CheckConstraint(
                condition=Q(supplier__isnull=False, source_location__isnull=True)
                | Q(supplier__isnull=True, source_location__isnull=False),
                name="planning_sourcing_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.location_id} ← {self.supplier_id or self.source_location_id}"


class ReplenishmentRun(models.Model):
    """One replenishment run; `run_key` makes a rerun (a retried task, a double click) a no-op."""

    run_key = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=200, default="system")
    pairs_evaluated = models.PositiveIntegerField(default=0)
    proposals_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return self.run_key


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ORDERED = "ordered", "Ordered"


# An open proposal still stands for an order that does not exist yet: at most one per item × location.
OPEN_PROPOSAL_STATES = (ProposalState.PROPOSED, ProposalState.APPROVED)


class ReplenishmentProposal(models.Model):
    """A suggested order (补货建议) with the figures behind it, snapshotted when it was made."""

    run = models.ForeignKey(ReplenishmentRun, on_delete=models.PROTECT, related_name="proposals")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("partners.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    inventory_position = models.DecimalField(**QTY)
    lead_time_demand = models.DecimalField(**QTY)
    safety_stock = models.DecimalField(**QTY)
    reorder_point = models.DecimalField(**QTY)
    order_up_to = models.DecimalField(**QTY)
    service_level = models.DecimalField(max_digits=5, decimal_places=4)
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED, db_index=True)
    document_type = models.CharField(max_length=40, blank=True)  # purchase_order | transfer
    document_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "location"),
                condition=Q(state__in=[s.value for s in OPEN_PROPOSAL_STATES]),
                name="planning_proposal_one_open_per_item_location",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="planning_proposal_quantity_positive"),
        ]
        indexes = [models.Index(fields=("document_type", "document_id"))]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} → {self.location_id} ({self.state})"


class SafetyStockAdjustment(models.Model):
    """A temporary change of the safety stock of a category (安全库存临时调整), e.g. +15% for leafy greens over a
    rainy weekend; left by the rules engine's adjust_safety_stock action.

    The category is matched by name against an item's category and its ancestors, so "叶菜" covers its subtree.
    `location` null means every location. The period is whole days, both ends included. The unique key (rule
    version, event, subject, category) makes a redelivered event add nothing.
    """

    category_name = models.CharField(max_length=120)
    percent = models.DecimalField(max_digits=7, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rule_version_id = models.BigIntegerField(null=True, blank=True, help_text="The rule version that made it, if any.")
    event_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=160, blank=True, help_text="What the rule looked at, e.g. weather_day:12:2026-11-28.")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-starts_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("rule_version_id", "event_id", "subject", "category_name"),
                name="planning_safety_adjustment_once_per_event",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="planning_safety_adjustment_period"),
            models.CheckConstraint(condition=Q(percent__gt=-100), name="planning_safety_adjustment_above_minus_100"),
        ]
        indexes = [models.Index(fields=("starts_on", "ends_on"), name="planning_safety_adj_period")]

    def __str__(self) -> str:
        return f"{self.category_name} {self.percent:+}% {self.starts_on}–{self.ends_on}"


# --- Demand history and known-future inputs (what the forecasts are fitted on and served from) --------------


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    REJECTED = "rejected", _("Rejected")
    VALIDATED = "validated", _("Validated")
    TRAINING = "training", _("Training")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DemandHistoryUpload(models.Model):
    """One uploaded demand-history file (CSV: date, sku, location[, quantity][, price][, promo][, open]).

    A rejected file keeps only this record with its row-level `errors` ([{row, column, message}]); nothing is
    imported. A validated file is kept in the default storage under `tenants/<schema>/uploads/` and its rows
    join the tenant's DemandHistoryRow store. A fine-tune started from an upload trains on the WHOLE history;
    its progress and outcome are kept here so the page that showed the upload can follow it.
    """

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    storage_key = models.CharField(max_length=500, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    plan_row_count = models.PositiveIntegerField(default=0)  # future rows: promo/price/open, no quantity
    replaced_row_count = models.PositiveIntegerField(default=0)  # earlier rows of the same day × item × location
    errors = models.JSONField(default=list, blank=True)
    module = models.CharField(max_length=40, default="core")
    progress_percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    metrics = models.JSONField(default=dict, blank=True)  # the champion summary: served model per class, WAPE
    model_name = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    promoted = models.BooleanField(default=False)
    created_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class HistorySource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    SHIPMENT = "shipment", _("Shipment")
    POS = "pos", _("POS")


class DemandHistoryRow(models.Model):
    """One day × item × location of the tenant's demand history, from one source.

    `quantity` is null on a plan row (a future day with only known-future inputs: promotion, price, open).
    A later upload of the same day × item × location supersedes the current upload row: the old row stays,
    with `superseded_by` set, for audit; only rows with `superseded_by` null are read. Shipment rows are
    rolled up from the ledger and rewritten in place (the ledger itself is the audit trail).
    """

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    source = models.CharField(max_length=10, choices=HistorySource.choices)
    quantity = models.DecimalField(null=True, blank=True, **QTY)
    price = models.DecimalField(null=True, blank=True, **QTY)
    promo = models.BooleanField(default=False)
    is_open = models.BooleanField(null=True, blank=True)  # null: the location's calendar decides
    upload = models.ForeignKey(DemandHistoryUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="rows")
    superseded_by = models.ForeignKey(
        DemandHistoryUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_rows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "location", "date", "source")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "location", "date", "source"),
                condition=Q(superseded_by__isnull=True),
                name="planning_history_one_current_row",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="planning_history_quantity_gte_0"
            ),
        ]
        indexes = [models.Index(fields=("date",), condition=Q(superseded_by__isnull=True), name="planning_history_current_date")]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.location_id} {self.date} {self.source}: {self.quantity}"


class PromotionKind(models.TextChoices):
    DISCOUNT = "discount", _("Discount")
    BUNDLE = "bundle", _("Bundle")
    DISPLAY = "display", _("Display")
    OTHER = "other", _("Other")


class Promotion(models.Model):
    """A planned or past promotion: an item or a whole category, at some locations (none = all), over a date
    range. Its depth (discount share 0..1) is a known-future input of the demand forecast."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PromotionKind.choices, default=PromotionKind.DISCOUNT)
    item = models.ForeignKey("catalog.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    locations = models.ManyToManyField("locations.Location", blank=True, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    discount = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)  # 0.2 = 20 % off
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-start_date", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="planning_promotion_dates_ordered"),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(category__isnull=False), name="planning_promotion_item_or_category"
            ),
            models.CheckConstraint(
                condition=Q(discount__isnull=True) | (Q(discount__gt=0) & Q(discount__lte=1)),
                name="planning_promotion_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_date}–{self.end_date}"


class LocationCalendar(models.Model):
    """When a location is closed: weekdays (0 = Monday) every week, plus single dates. Locations without a
    calendar are open every day; an `open` column in an upload overrides a single day."""

    location = models.OneToOneField("locations.Location", on_delete=models.CASCADE, related_name="+")
    closed_weekdays = models.JSONField(default=list, blank=True)
    closed_dates = models.JSONField(default=list, blank=True)  # ISO dates
    closed_on_public_holidays = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.location_id}: closed {self.closed_weekdays}"


class PlanningSettings(models.Model):
    """The tenant's planning settings (one row): the region whose public holidays the forecast knows."""

    holiday_region = models.CharField(max_length=10, default="CN")  # a `holidays` country code, e.g. CN, HK, US
    forecast_horizon_days = models.PositiveSmallIntegerField(default=28)

    def __str__(self) -> str:
        return f"holidays {self.holiday_region}, horizon {self.forecast_horizon_days}"


class ForecastRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ForecastRun(models.Model):
    """One forecast refresh (after a fine-tune, on demand or nightly), with progress a page can poll and the
    served model per demand class with its backtest figures (`served`)."""

    trigger = models.CharField(max_length=20)  # fine_tune | on_demand | nightly
    status = models.CharField(max_length=20, choices=ForecastRunStatus.choices, default=ForecastRunStatus.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)  # first forecast day
    horizon_days = models.PositiveSmallIntegerField(default=28)
    rows_written = models.PositiveIntegerField(default=0)
    served = models.JSONField(default=dict, blank=True)  # {class: {candidate, wape, baseline_wape, coverage, notes}}
    notes = models.JSONField(default=list, blank=True)  # [[code, params], ...] from the champion selection
    model_name = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    created_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.trigger} {self.status} {self.start_date}"
