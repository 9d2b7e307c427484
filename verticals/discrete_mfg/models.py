"""Discrete manufacturing (离散制造) data: versioned BOMs, routings, ECOs, MRP runs and work orders.

Every table points at core tables (items, locations, sales and purchase orders), never the reverse.
Quantities on BOM lines are in the line's unit; everything MRP and the ledger see is in base units.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.events.documents import StatefulDocument

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
COST: dict[str, Any] = {"max_digits": 18, "decimal_places": 6}
ZERO = Decimal("0")


class MakeOrBuy(models.TextChoices):
    MAKE = "make", "Make"
    BUY = "buy", "Buy"


class MfgSettings(models.Model):
    """The plant's manufacturing policy: one row per schema (a singleton, pk=1)."""

    # How far above the required quantity a line may issue to a work order, in percent (cut lengths, spares).
    over_issue_tolerance_percent = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("5.00"))
    firm_fence_days = models.PositiveIntegerField(default=7)  # planned orders due inside it get a "firm" message
    # A scheduled receipt later than its need by more than this many days is rescheduled out when it is early.
    reschedule_tolerance_days = models.PositiveIntegerField(default=2)
    planning_horizon_days = models.PositiveIntegerField(default=120)
    # Which lead-time quantile offsets MRP when the lead-time model has a prediction: p50 or p90.
    lead_time_quantile = models.CharField(max_length=3, default="p50")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "manufacturing settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="discrete_mfg_settings_singleton")]

    def __str__(self) -> str:
        return f"over-issue {self.over_issue_tolerance_percent}%, firm fence {self.firm_fence_days} d"


class MfgItem(models.Model):
    """The planning profile of an item in the plant: make or buy, its fixed lead time and low-level code."""

    item = models.OneToOneField("catalog.Item", primary_key=True, on_delete=models.CASCADE, related_name="mfg_profile")
    make_or_buy = models.CharField(max_length=4, choices=MakeOrBuy.choices, default=MakeOrBuy.BUY)
    lead_time_days = models.PositiveIntegerField(default=7)  # the fixed lead time the model's quantiles replace
    safety_stock = models.DecimalField(**QTY, default=ZERO)  # base units
    standard_cost = models.DecimalField(**COST, default=ZERO)  # purchased parts: the price; made parts: rolled up
    supplier = models.ForeignKey("partners.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # 低阶码: the deepest level the item appears at in any released BOM; MRP plans level by level in this order.
    low_level_code = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.item_id} {self.make_or_buy} LLC {self.low_level_code}"


class WorkCentre(models.Model):
    """A work centre (工作中心): a line, a cell or a machine group, with its hourly rate for the cost roll-up."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    hourly_rate = models.DecimalField(**COST, default=ZERO)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code


class BomState(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"
    SUPERSEDED = "superseded", "Superseded"


class BomVersion(models.Model):
    """One version of an assembly's bill of materials (BOM 版本). Only ECO release makes a version released.

    A phantom (虚拟件) assembly is never stocked: its components are exploded straight into its parent.
    A locked version (e.g. frozen for a customer's first-article approval) cannot be superseded."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="bom_versions")
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=BomState.choices, default=BomState.DRAFT, db_index=True)
    phantom = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    output_quantity = models.DecimalField(**QTY, default=Decimal("1"))  # base units the quantities make
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)  # exclusive
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("item", "-version")
        constraints = [
            models.UniqueConstraint(fields=("item", "version"), name="discrete_mfg_bom_unique_item_version"),
            models.CheckConstraint(condition=Q(output_quantity__gt=0), name="discrete_mfg_bom_output_positive"),
        ]
        indexes = [models.Index(fields=("item", "state"))]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version} ({self.state})"


class BomLine(models.Model):
    """A component of a BOM version: quantity per `output_quantity` of the parent, in `unit`, plus scrap."""

    bom = models.ForeignKey(BomVersion, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=10)
    component = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="used_in_bom_lines")
    quantity = models.DecimalField(**QTY)
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    scrap_percent = models.DecimalField(max_digits=6, decimal_places=2, default=ZERO)  # 损耗率
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)  # exclusive
    backflush = models.BooleanField(default=False)  # issued automatically at completion
    operation_sequence = models.PositiveIntegerField(null=True, blank=True)  # the operation that consumes it

    class Meta:
        ordering = ("bom", "position", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="discrete_mfg_bomline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(scrap_percent__gte=0) & Q(scrap_percent__lt=100), name="discrete_mfg_bomline_scrap_range"
            ),
        ]
        indexes = [models.Index(fields=("component", "bom"))]

    def __str__(self) -> str:
        return f"{self.bom_id}: {self.quantity} × {self.component_id}"


class BomAlternate(models.Model):
    """A part that may replace a line's component (替代料), tried in priority order when the primary is short."""

    line = models.ForeignKey(BomLine, on_delete=models.CASCADE, related_name="alternates")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(default=1)
    ratio = models.DecimalField(**QTY, default=Decimal("1"))  # alternate base units per primary base unit

    class Meta:
        ordering = ("line", "priority", "pk")
        constraints = [models.UniqueConstraint(fields=("line", "item"), name="discrete_mfg_alternate_unique")]

    def __str__(self) -> str:
        return f"{self.line_id}: alternate {self.item_id} (priority {self.priority})"


class BomByProduct(models.Model):
    """A by-product (副产品) received with the finished goods, e.g. offcuts sold as scrap metal."""

    bom = models.ForeignKey(BomVersion, on_delete=models.CASCADE, related_name="by_products")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)  # base units per output_quantity
    unit_cost = models.DecimalField(**COST, default=ZERO)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="discrete_mfg_byproduct_positive")]

    def __str__(self) -> str:
        return f"{self.bom_id}: by-product {self.quantity} × {self.item_id}"


class RoutingOperation(models.Model):
    """One step of the routing (工艺路线): where, and how long per unit (standard time)."""

    bom = models.ForeignKey(BomVersion, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="operations")
    description = models.CharField(max_length=200, blank=True)
    setup_minutes = models.DecimalField(**QTY, default=ZERO)
    run_minutes = models.DecimalField(**QTY, default=ZERO)  # per base unit of output

    class Meta:
        ordering = ("bom", "sequence")
        constraints = [models.UniqueConstraint(fields=("bom", "sequence"), name="discrete_mfg_operation_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.bom_id} op {self.sequence} @ {self.work_centre_id}"


class EcoState(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    RELEASED = "released", "Released"
    CANCELLED = "cancelled", "Cancelled"


class EngineeringChange(StatefulDocument):
    """An engineering change order (ECO, 工程变更单): a draft BOM version that replaces the released one."""

    SUBJECT_TYPE = "engineering_change"
    TRANSITIONS = {
        EcoState.DRAFT: (EcoState.REVIEW, EcoState.CANCELLED),
        EcoState.REVIEW: (EcoState.DRAFT, EcoState.RELEASED, EcoState.CANCELLED),
        EcoState.RELEASED: (),
        EcoState.CANCELLED: (),
    }
    BLOCKING_REASONS = {EcoState.REVIEW: "awaiting_approval"}

    state = models.CharField(max_length=40, choices=EcoState.choices, default=EcoState.DRAFT, db_index=True)
    number = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    base_version = models.ForeignKey(BomVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_version = models.OneToOneField(BomVersion, on_delete=models.PROTECT, related_name="eco")
    effective_from = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.number


class SalesOrderPromise(models.Model):
    """The date promised to the customer for a sales order (交期承诺); MRP dates the order's demand by it."""

    sales_order = models.OneToOneField("sales.SalesOrder", primary_key=True, on_delete=models.CASCADE, related_name="mfg_promise")
    promised_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.sales_order_id} promised {self.promised_on}"


class WorkOrderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


W = WorkOrderState
OPEN_WORK_ORDER_STATES = (W.DRAFT, W.RELEASED, W.IN_PROGRESS)


class IssueMethod(models.TextChoices):
    PICK_LIST = "pick_list", "Pick list"
    BACKFLUSH = "backflush", "Backflush at completion"


class WorkOrder(StatefulDocument):
    """A work order (生产工单): make `quantity` of `item` from a BOM version's components."""

    SUBJECT_TYPE = "work_order"
    TRANSITIONS = {
        W.DRAFT: (W.RELEASED, W.CANCELLED),
        W.RELEASED: (W.IN_PROGRESS, W.COMPLETED, W.CANCELLED),
        W.IN_PROGRESS: (W.IN_PROGRESS, W.COMPLETED),
        W.COMPLETED: (W.CLOSED,),
        W.CLOSED: (),
        W.CANCELLED: (),
    }
    BLOCKING_REASONS: ClassVar[dict[str, str]] = {}

    state = models.CharField(max_length=40, choices=WorkOrderState.choices, default=W.DRAFT, db_index=True)
    number = models.CharField(max_length=32, unique=True)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    bom = models.ForeignKey(BomVersion, on_delete=models.PROTECT, related_name="work_orders")
    quantity = models.DecimalField(**QTY)  # base units to make
    completed_quantity = models.DecimalField(**QTY, default=ZERO)
    scrapped_quantity = models.DecimalField(**QTY, default=ZERO)
    source = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")  # components from
    destination = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")  # goods to
    issue_method = models.CharField(max_length=10, choices=IssueMethod.choices, default=IssueMethod.PICK_LIST)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    planned_order = models.ForeignKey("PlannedOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="discrete_mfg_wo_quantity_positive")]
        indexes = [models.Index(fields=("item", "state"))]

    def __str__(self) -> str:
        return self.number

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.completed_quantity - self.scrapped_quantity, ZERO)


class WorkOrderComponent(models.Model):
    """What a work order needs of one component (base units), and what has been issued to it so far."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    required_quantity = models.DecimalField(**QTY)
    issued_quantity = models.DecimalField(**QTY, default=ZERO)
    backflush = models.BooleanField(default=False)

    class Meta:
        ordering = ("work_order", "pk")
        constraints = [models.UniqueConstraint(fields=("work_order", "item"), name="discrete_mfg_woc_unique_item")]
        indexes = [models.Index(fields=("item",))]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.issued_quantity}/{self.required_quantity} × {self.item_id}"

    @property
    def missing_quantity(self) -> Decimal:
        return max(self.required_quantity - self.issued_quantity, ZERO)


class WorkOrderOperation(models.Model):
    """A routing step copied onto the work order, with what the line reported against it."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    standard_minutes = models.DecimalField(**QTY, default=ZERO)
    reported_quantity = models.DecimalField(**QTY, default=ZERO)
    actual_minutes = models.DecimalField(**QTY, default=ZERO)

    class Meta:
        ordering = ("work_order", "sequence")

    def __str__(self) -> str:
        return f"{self.work_order_id} op {self.sequence}"


class OperationReport(models.Model):
    """One report from the line (报工): good quantity and minutes on an operation. `reference` is its key."""

    operation = models.ForeignKey(WorkOrderOperation, on_delete=models.CASCADE, related_name="reports")
    reference = models.CharField(max_length=120, unique=True)
    quantity = models.DecimalField(**QTY)
    minutes = models.DecimalField(**QTY, default=ZERO)
    reported_at = models.DateTimeField(default=timezone.now)
    reported_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.reference


class WorkOrderScrap(models.Model):
    """Finished units scrapped on a work order, with the reason (报废原因)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="scraps")
    reference = models.CharField(max_length=120, unique=True)
    quantity = models.DecimalField(**QTY)
    reason = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} ({self.reason})"


class MrpRun(models.Model):
    """One MRP run (物料需求计划); `run_key` makes it idempotent per location and day."""

    run_key = models.CharField(max_length=120, unique=True)
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    run_on = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=200, default="system")
    items_planned = models.PositiveIntegerField(default=0)
    planned_order_count = models.PositiveIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return self.run_key


class PlannedOrderKind(models.TextChoices):
    PURCHASE = "purchase", _("Planned purchase")
    WORK = "work", _("Planned work order")


class PlannedOrder(models.Model):
    """A supply MRP proposes: buy or make `quantity` (base units), released on `release_on` to arrive `due_on`."""

    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="planned_orders")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=PlannedOrderKind.choices)
    quantity = models.DecimalField(**QTY)
    release_on = models.DateField()
    due_on = models.DateField()
    lead_time_days = models.PositiveIntegerField(default=0)
    lead_time_source = models.CharField(max_length=20, default="fixed")  # fixed | model_p50 | model_p90
    firmed = models.BooleanField(default=False)
    # A cancelled customer order leaves its pegged supply without a reason to exist: flagged at once.
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)
    # Set once the planner releases it: the purchase order or work order that now carries the supply.
    released_document_type = models.CharField(max_length=20, blank=True)  # purchase_order | work_order
    released_document_id = models.BigIntegerField(null=True, blank=True)
    released_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("run", "release_on", "item")
        indexes = [models.Index(fields=("run", "item"))]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="discrete_mfg_planned_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.item_id} due {self.due_on}"


class PegSource(models.TextChoices):
    SALES_ORDER = "sales_order", "Sales order"
    FORECAST = "forecast", "Forecast"
    SAFETY_STOCK = "safety_stock", "Safety stock"
    PLANNED_ORDER = "planned_order", "Planned order"
    WORK_ORDER = "work_order", "Work order"


class Pegging(models.Model):
    """Which demand a planned order serves (追溯): a sales order, the forecast, safety stock or a parent order."""

    planned_order = models.ForeignKey(PlannedOrder, on_delete=models.CASCADE, related_name="pegs")
    source = models.CharField(max_length=16, choices=PegSource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.DecimalField(**QTY)
    need_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=("source", "source_id"))]

    def __str__(self) -> str:
        return f"{self.planned_order_id} ← {self.source}:{self.source_id} {self.quantity}"


class MessageKind(models.TextChoices):
    RELEASE = "release", _("Release")
    FIRM = "firm", _("Firm")
    RESCHEDULE_IN = "reschedule_in", _("Reschedule in")
    RESCHEDULE_OUT = "reschedule_out", _("Reschedule out")
    CANCEL = "cancel", _("Cancel")
    USE_ALTERNATE = "use_alternate", _("Use alternate")


class MrpMessage(models.Model):
    """An action MRP asks the planner to take on a planned order or an existing purchase/work order."""

    run = models.ForeignKey(MrpRun, null=True, blank=True, on_delete=models.CASCADE, related_name="action_messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    planned_order = models.ForeignKey(PlannedOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    document_type = models.CharField(max_length=40, blank=True)  # purchase_order | work_order
    document_id = models.BigIntegerField(null=True, blank=True)
    current_date = models.DateField(null=True, blank=True)
    suggested_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(**QTY, default=ZERO)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "suggested_date", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} {self.suggested_date}"


class LeadTimePrediction(models.Model):
    """The lead-time model's P10/P50/P90 (days) for an item, with the weights of the inputs behind it."""

    item = models.OneToOneField("catalog.Item", primary_key=True, on_delete=models.CASCADE, related_name="+")
    p10 = models.DecimalField(max_digits=8, decimal_places=2)
    p50 = models.DecimalField(max_digits=8, decimal_places=2)
    p90 = models.DecimalField(max_digits=8, decimal_places=2)
    model_version = models.CharField(max_length=60, blank=True)
    explanation = models.JSONField(default=dict)
    predicted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(p10__lte=F("p50")) & Q(p50__lte=F("p90")), name="discrete_mfg_ltp_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.p10}/{self.p50}/{self.p90} d"
