"""Restaurant (餐饮) data: outlets, dishes, versioned multi-level recipes, POS ticket lines, waste records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, models

from core.catalog.models import Item, Unit
from core.locations.models import Location, Store

# Posting document types of the module's ledger moves (the variance report reads them back).
POS_DOCUMENT_TYPE = "pos_backflush"
WASTE_DOCUMENT_TYPE = "restaurant_waste"

QTY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
PCT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}


class Outlet(models.Model):
    """A restaurant (门店) of the group: the core store it is, the location its kitchen stock sits in, and
    the secret its POS signs ingestion requests with."""

    store = models.OneToOneField(Store, on_delete=models.PROTECT, related_name="restaurant_outlet")
    stock_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="restaurant_outlets")
    region = models.CharField(max_length=20, default="CN", help_text="Labour rules region for scheduling.")
    # HMAC-SHA256 key of the outlet's POS; empty means the tenant's POS secret applies.
    pos_secret = models.CharField(max_length=128, blank=True)
    open_weekdays = models.JSONField(default=list, blank=True, help_text="0=Monday … 6=Sunday; empty = every day.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("store__code",)

    def __str__(self) -> str:
        return str(self.store)

    @property
    def code(self) -> str:
        return self.store.code


class Dish(models.Model):
    """A menu item (菜品) sold at the POS under `code`."""

    code = models.CharField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(**MONEY, default=Decimal("0"))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="restaurant_dish_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Recipe(models.Model):
    """A recipe: a dish's (one portion) or a sub-recipe's (a sauce, a broth) that other recipes use."""

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    dish = models.OneToOneField(Dish, null=True, blank=True, on_delete=models.PROTECT, related_name="recipe")
    # What one batch of the current version yields: portions for a dish, `yield_unit` for a sub-recipe.
    yield_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    current_version = models.ForeignKey("RecipeVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code


class RecipeVersion(models.Model):
    """One immutable version of a recipe; a change makes a new version and moves `Recipe.current_version`."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    yield_quantity = models.DecimalField(**QTY, default=Decimal("1"))
    note = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("recipe", "-number")
        constraints = [
            models.UniqueConstraint(fields=("recipe", "number"), name="restaurant_recipeversion_unique_number"),
            models.CheckConstraint(condition=models.Q(yield_quantity__gt=0), name="restaurant_recipeversion_yield_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.recipe_id} v{self.number}"


class RecipeLine(models.Model):
    """An ingredient (a catalog item) or a sub-recipe, the net quantity the recipe needs, and the trim loss
    (去皮/修整损耗) that makes the gross quantity taken from stock larger."""

    version = models.ForeignKey(RecipeVersion, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sub_recipe = models.ForeignKey(Recipe, null=True, blank=True, on_delete=models.PROTECT, related_name="used_in")
    quantity = models.DecimalField(**QTY)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    trim_loss_pct = models.DecimalField(**PCT, default=Decimal("0"))
    # The gross quantity taken from stock per batch: for an item in its base unit (converted through the
    # catalog's unit conversions when the version was saved), for a sub-recipe in its yield unit.
    gross_quantity = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        ordering = ("version", "pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, sub_recipe__isnull=True)
                | models.Q(item__isnull=True, sub_recipe__isnull=False),
                name="restaurant_recipeline_item_xor_sub_recipe",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="restaurant_recipeline_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(trim_loss_pct__gte=0, trim_loss_pct__lt=100), name="restaurant_recipeline_trim_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.item_id or self.sub_recipe_id} × {self.quantity}"


class DishModifier(models.Model):
    """A POS modifier ("no chilli", "extra beef") scaling one ingredient of the dish: factor 0 leaves it
    out, 2 doubles it."""

    dish = models.ForeignKey(Dish, on_delete=models.CASCADE, related_name="modifiers")
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=200, blank=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(**QTY, default=Decimal("0"))

    class Meta:
        ordering = ("dish", "code")
        constraints = [
            models.UniqueConstraint(fields=("dish", "code"), name="restaurant_modifier_unique_code"),
            models.CheckConstraint(condition=models.Q(factor__gte=0), name="restaurant_modifier_factor_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dish_id}:{self.code}"


class TicketLineKind(models.TextChoices):
    SALE = "sale", "Sale"
    VOID = "void", "Void"
    REFUND = "refund", "Refund"


class TicketLineStatus(models.TextChoices):
    POSTED = "posted", "Ingredients backflushed"
    REVIEW = "review", "Awaiting review"  # unknown dish, no recipe, or refused for stock
    REVERSED = "reversed", "Reversed by a void or refund"
    RESOLVED = "resolved", "Reviewed, nothing to post"


class PosTicketLine(models.Model):
    """One line of a POS ticket. (outlet, ticket, line) is the idempotency key: a POS that re-sends a batch
    posts nothing twice."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="ticket_lines")
    ticket_no = models.CharField(max_length=80)
    line_no = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=TicketLineKind.choices, default=TicketLineKind.SALE)
    dish_code = models.CharField(max_length=60)
    dish = models.ForeignKey(Dish, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket_lines")
    quantity = models.DecimalField(**QTY)
    unit_price = models.DecimalField(**MONEY, default=Decimal("0"))
    modifiers = models.JSONField(default=list, blank=True)
    reverses_line_no = models.PositiveIntegerField(null=True, blank=True, help_text="The sale line a void/refund undoes.")
    sold_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TicketLineStatus.choices)
    review_reason = models.CharField(max_length=300, blank=True)
    posting_key = models.CharField(max_length=200, blank=True)
    # The backflushed ingredients in base units ({item id: quantity}), kept so a void reverses exactly what the
    # sale took even after the recipe changed.
    consumed = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sold_at", "outlet", "ticket_no", "line_no")
        constraints = [
            models.UniqueConstraint(fields=("outlet", "ticket_no", "line_no"), name="restaurant_ticketline_unique_line"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="restaurant_ticketline_quantity_positive"),
        ]
        indexes = [models.Index(fields=("status", "outlet")), models.Index(fields=("outlet", "sold_at"))]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.ticket_no}/{self.line_no}"


class TheoreticalUsage(models.Model):
    """Ingredients the recipes say were used (理论用量), per outlet × item × business day; the variance report
    sets them against what the counts found."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="theoretical_usage")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    quantity = models.DecimalField(**QTY, default=Decimal("0"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=("outlet", "item", "day"), name="restaurant_usage_unique_day")]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.item_id}@{self.day}: {self.quantity}"


def waste_photo_path(record: WasteRecord, filename: str) -> str:
    """Uploads sit under the tenant's prefix (DESIGN.md, Tenancy), never beside another tenant's files."""
    return f"tenants/{getattr(connection, 'schema_name', 'public')}/restaurant/waste/{filename[-120:]}"


class WasteReason(models.TextChoices):
    SPOILED = "spoiled", "Spoiled"
    EXPIRED = "expired", "Expired"
    OVERPRODUCTION = "overproduction", "Over-production"
    DROPPED = "dropped", "Dropped / accident"
    RETURNED = "returned", "Returned by guest"
    TRIM = "trim", "Trim beyond recipe"


class WasteRecord(models.Model):
    """A waste document (报损单): what was thrown away, why, and the posting that moved it to the loss location."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="waste_records")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.DecimalField(**QTY)
    reason = models.CharField(max_length=20, choices=WasteReason.choices)
    note = models.CharField(max_length=300, blank=True)
    photo = models.FileField(upload_to=waste_photo_path, blank=True)
    # Conditions at the time, so the tenant's spoilage model can learn from its own waste.
    storage_temp_c = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    hours_since_prep = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal("0"))
    value = models.DecimalField(**MONEY, default=Decimal("0"))
    posting_key = models.CharField(max_length=200, unique=True)
    recorded_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-recorded_at",)
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="restaurant_waste_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.item_id}: {self.quantity} ({self.reason})"


class ParLevel(models.Model):
    """The quantity of an ingredient an outlet keeps ready (标准库存), in the item's base unit."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="par_levels")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("outlet", "item"), name="restaurant_par_unique")]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.item_id}: {self.quantity}"


class DishForecast(models.Model):
    """Dishes expected per outlet and day (from the core forecast or entered); drives prep lists and orders."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="dish_forecasts")
    dish = models.ForeignKey(Dish, on_delete=models.CASCADE, related_name="forecasts")
    day = models.DateField()
    quantity = models.DecimalField(**QTY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("outlet", "dish", "day"), name="restaurant_forecast_unique")]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.dish_id}@{self.day}: {self.quantity}"


class RestaurantSettings(models.Model):
    """The company's restaurant settings (one row): the POS secret outlets without their own use."""

    pos_secret = models.CharField(max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "restaurant settings"


class LabourRegion(models.Model):
    """Labour-hour rules of a region (社保/劳动法工时), referenced by outlets' `region` code."""

    code = models.CharField(max_length=20, unique=True)
    max_weekly_hours = models.PositiveIntegerField(default=44)
    min_rest_hours = models.PositiveIntegerField(default=11)
    max_shift_hours = models.PositiveIntegerField(default=10)
    fatigue_after_hours = models.PositiveIntegerField(default=8)
    max_days_per_week = models.PositiveIntegerField(default=6)

    def __str__(self) -> str:
        return self.code


class StaffMember(models.Model):
    """A person on an outlet's roster and the roles (skills) they can fill."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=120)
    roles = models.JSONField(default=list, help_text='e.g. ["chef", "server"]')
    min_weekly_hours = models.PositiveIntegerField(default=0)
    max_weekly_hours = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("outlet", "name")

    def __str__(self) -> str:
        return self.name


class ScheduledShift(models.Model):
    """One shift of a published roster week."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField()
    start_hour = models.PositiveSmallIntegerField()
    end_hour = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=40)

    class Meta:
        ordering = ("day", "start_hour")
        constraints = [models.UniqueConstraint(fields=("staff", "day"), name="restaurant_shift_one_per_day")]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.day} {self.start_hour}-{self.end_hour} {self.role}"


class IngredientProfile(models.Model):
    """How an ingredient keeps (for the spoilage model): its group, processing method and storage humidity."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="restaurant_profile")
    group = models.CharField(max_length=20, default="vegetable", help_text="ml_models.spoilage.GROUPS")
    process = models.CharField(max_length=20, default="raw", help_text="ml_models.spoilage.PROCESSES")
    storage_humidity_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("85"))
    storage_temp_c = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("4"), help_text="Used where no cold-chain sensor reports."
    )

    def __str__(self) -> str:
        return f"{self.item_id}: {self.group}/{self.process}"
