"""Menu state changes: outlets, dishes, versioned multi-level recipes, modifiers, par levels; recipe reads
that every other service builds on (explosion into ingredients, cost roll-up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.catalog.exceptions import UnknownUnit as CatalogUnknownUnit
from core.catalog.models import Item, Unit
from core.catalog.services import to_base_quantity
from core.inventory.models import ItemValuation
from core.locations.exceptions import DuplicateLocationCode
from core.locations.models import Location, LocationKind, Store
from core.locations.services import create_store, get_virtual_location, stock_location_of
from verticals.restaurant import events
from verticals.restaurant.exceptions import (
    DuplicateCode,
    InvalidQuantity,
    InvalidRecipe,
    NotFound,
    RecipeLoop,
    UnknownItem,
    UnknownUnit,
)
from verticals.restaurant.models import Dish, DishModifier, Outlet, ParLevel, Recipe, RecipeLine, RecipeVersion

HUNDRED = Decimal("100")
GROSS_PLACES = Decimal("0.000001")
MAX_DEPTH = 8  # deeper nesting is a data-entry mistake, not a kitchen


@dataclass(frozen=True)
class RecipeLineInput:
    """An ingredient (`item_id`) or a sub-recipe (`sub_recipe_code`), its net quantity in `unit` (None: the
    item's base unit, or the sub-recipe's yield unit) and the trim loss in %."""

    quantity: Decimal | str | int
    item_id: int | None = None
    sub_recipe_code: str | None = None
    unit: str | None = None
    trim_loss_pct: Decimal | str | int = 0


@dataclass(frozen=True)
class DishCost:
    dish: Dish
    cost: Decimal  # per portion, at moving-average cost
    margin: Decimal
    margin_pct: Decimal | None  # of the price; None when the dish is free
    missing_costs: tuple[int, ...]  # ingredients without a valuation yet (no receipt): counted at 0


# --- outlets ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_outlet(*, code: str, name: str, region: str = "CN", pos_secret: str = "", address: str = "") -> Outlet:
    """A new outlet: the core store with its stock location (`<code>/stock`) and the restaurant profile."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidRecipe(_("An outlet needs a code and a name."), field="code")
    if Store.objects.filter(code=code).exists():
        raise DuplicateCode(_("Store code %(code)s is already in use.") % {"code": code})
    try:
        store = create_store(code, name, address=address.strip())
    except DuplicateLocationCode as error:
        raise DuplicateCode(_("Store code %(code)s is already in use.") % {"code": code}) from error
    return Outlet.objects.create(store=store, stock_location=stock_location_of(store), region=region, pos_secret=pos_secret)


# --- dishes ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_dish(*, code: str, name_zh: str, price: Decimal | str, name_en: str = "") -> Dish:
    code = code.strip()
    if not code or not name_zh.strip():
        raise InvalidRecipe(_("A dish needs a code and a name."), field="code")
    dish = Dish(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), price=_decimal(price, "price", allow_zero=True))
    try:
        with transaction.atomic():
            dish.save()
    except IntegrityError as error:
        raise DuplicateCode(_("Dish code %(code)s is already in use.") % {"code": code}) from error
    return dish


@transaction.atomic
def add_modifier(*, dish_id: int, code: str, item_id: int, factor: Decimal | str, name: str = "") -> DishModifier:
    """A modifier scales one ingredient of the dish when the POS line carries its code (0 = leave it out)."""
    dish = _dish(dish_id)
    if not Item.objects.filter(pk=item_id).exists():
        raise UnknownItem(_("No item with id %(id)s.") % {"id": item_id})
    value = _decimal(factor, "factor", allow_zero=True)
    modifier, _created = DishModifier.objects.update_or_create(
        dish=dish, code=code.strip(), defaults={"item_id": item_id, "factor": value, "name": name.strip()}
    )
    return modifier


# --- recipes ---------------------------------------------------------------------------------------------


@transaction.atomic
def save_recipe(
    *,
    code: str,
    name: str,
    lines: Sequence[RecipeLineInput],
    yield_quantity: Decimal | str | int = 1,
    dish_id: int | None = None,
    yield_unit: str | None = None,
    note: str = "",
    actor: str = "system",
) -> RecipeVersion:
    """Create the recipe or give it a new version (the old ones stay for history and for tickets already
    backflushed). Refuses, with nothing written, a line without a known item or sub-recipe, a unit the item
    cannot be converted from, a trim loss outside 0–99.99 %, and a recipe that would use itself."""
    code = code.strip()
    if not code or not lines:
        raise InvalidRecipe(_("A recipe needs a code and at least one line."))
    recipe = Recipe.objects.select_for_update().filter(code=code).first()
    if recipe is None:
        recipe = Recipe.objects.create(code=code, name=name.strip() or code, dish=_dish(dish_id) if dish_id else None)
    elif dish_id is not None and recipe.dish_id not in (None, dish_id):
        raise InvalidRecipe(_("Recipe %(code)s belongs to another dish.") % {"code": code}, field="dishId")
    if yield_unit:
        recipe.yield_unit = Unit.objects.filter(code=yield_unit).first()
        if recipe.yield_unit is None:
            raise UnknownUnit(_("No unit %(unit)s.") % {"unit": yield_unit})
    built = [_line(index, line) for index, line in enumerate(lines)]
    _refuse_loops(recipe, {sub.code for _, sub in built if sub is not None})
    cost_before = _dish_cost(recipe.dish) if recipe.dish is not None and recipe.current_version_id else None
    number = (recipe.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = RecipeVersion.objects.create(
        recipe=recipe, number=number, yield_quantity=_decimal(yield_quantity, "yieldQuantity"), note=note, created_by=actor
    )
    for line, _sub in built:
        line.version = version
    RecipeLine.objects.bulk_create([line for line, _ in built])
    recipe.name = name.strip() or recipe.name
    recipe.current_version = version
    recipe.save(update_fields=["name", "yield_unit", "current_version"])
    if recipe.dish is not None:
        _announce_cost(recipe.dish, cost_before, actor)
    return version


def _dish_cost(dish: Dish) -> DishCost:
    return dish_costs([dish])[0]


def _announce_cost(dish: Dish, before: DishCost | None, actor: str) -> None:
    """`restaurant.dish_costed` for the dish's new recipe version: its margin, and how much the version
    changed the cost per portion at today's moving-average costs (low margin, cost up 10 %, below cost)."""
    after = _dish_cost(dish)
    change = None
    if before is not None and before.cost > 0:
        change = ((after.cost - before.cost) / before.cost * HUNDRED).quantize(Decimal("0.1"))
    events.dish_costed(dish.pk, price=dish.price, margin_pct=after.margin_pct, cost_change_pct=change, actor=actor)


def _line(index: int, data: RecipeLineInput) -> tuple[RecipeLine, Recipe | None]:
    quantity = _decimal(data.quantity, f"lines.{index}.quantity")
    trim = _decimal(data.trim_loss_pct, f"lines.{index}.trimLossPct", allow_zero=True)
    if trim >= HUNDRED:
        raise InvalidRecipe(_("A trim loss must be below 100%."), field=f"lines.{index}.trimLossPct")
    net_to_gross = HUNDRED / (HUNDRED - trim)
    if data.sub_recipe_code:
        sub = Recipe.objects.filter(code=data.sub_recipe_code.strip()).first()
        if sub is None or sub.current_version_id is None:
            message = _("No recipe %(code)s to use as a sub-recipe.") % {"code": data.sub_recipe_code}
            raise InvalidRecipe(message, field=f"lines.{index}.subRecipeCode")
        if data.unit and (sub.yield_unit is None or sub.yield_unit.code != data.unit):
            message = _("Sub-recipe %(code)s is measured in its yield unit.") % {"code": sub.code}
            raise UnknownUnit(message, field=f"lines.{index}.unit")
        gross = (quantity * net_to_gross).quantize(GROSS_PLACES)
        return RecipeLine(sub_recipe=sub, quantity=quantity, trim_loss_pct=trim, gross_quantity=gross), sub
    item = Item.objects.select_related("base_unit").filter(pk=data.item_id).first() if data.item_id else None
    if item is None:
        raise UnknownItem(_("No item with id %(id)s.") % {"id": data.item_id}, field=f"lines.{index}.itemId")
    unit = Unit.objects.filter(code=data.unit).first() if data.unit else None
    if data.unit and unit is None:
        raise UnknownUnit(_("No unit %(unit)s.") % {"unit": data.unit}, field=f"lines.{index}.unit")
    try:
        base = to_base_quantity(item, quantity, unit)  # the catalog's conversions: 1 斤 = 0.5 kg, 1 box = 24 pcs
    except CatalogUnknownUnit as error:
        message = _("Item %(sku)s has no conversion from %(unit)s.") % {"sku": item.sku, "unit": data.unit}
        raise UnknownUnit(message, field=f"lines.{index}.unit") from error
    gross = (base * net_to_gross).quantize(GROSS_PLACES)
    return RecipeLine(item=item, quantity=quantity, unit=unit, trim_loss_pct=trim, gross_quantity=gross), None


def _refuse_loops(recipe: Recipe, sub_codes: set[str]) -> None:
    """Walk the sub-recipes' current versions depth-first; reaching `recipe` again is a loop."""
    children = _sub_recipe_graph()
    children[recipe.code] = sorted(sub_codes)

    def walk(code: str, path: list[str]) -> None:
        if len(path) > MAX_DEPTH:
            raise InvalidRecipe(_("Recipes nest more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
        for child in children.get(code, []):
            if child == recipe.code:
                loop = [*path, child]
                raise RecipeLoop(_("This recipe would use itself: %(path)s.") % {"path": " → ".join(loop)}, loop)
            walk(child, [*path, child])

    walk(recipe.code, [recipe.code])


def _sub_recipe_graph() -> dict[str, list[str]]:
    """recipe code → sub-recipe codes of its current version, in one query."""
    graph: dict[str, list[str]] = {}
    rows = RecipeLine.objects.filter(
        sub_recipe__isnull=False, version_id__in=Recipe.objects.values("current_version_id")
    ).values_list("version__recipe__code", "sub_recipe__code")
    for parent, child in rows:
        graph.setdefault(parent, []).append(child)
    return graph


class RecipeBook:
    """Recipes loaded once and exploded into base-unit ingredient quantities; a POS batch of thousands of
    lines reads the recipes in three queries, whatever the nesting."""

    def __init__(self) -> None:
        self.lines: dict[int, list[tuple[int | None, int | None, Decimal]]] = {}  # version → (item, sub recipe, gross)
        self.yields: dict[int, Decimal] = {}
        self.current: dict[int, int] = {}  # recipe → current version
        self.dish_recipe: dict[int, int] = {}
        for recipe_id, version_id, dish_id in Recipe.objects.filter(current_version__isnull=False).values_list(
            "pk", "current_version_id", "dish_id"
        ):
            self.current[recipe_id] = version_id
            if dish_id is not None:
                self.dish_recipe[dish_id] = recipe_id
        for version_id, yield_quantity in RecipeVersion.objects.filter(pk__in=self.current.values()).values_list(
            "pk", "yield_quantity"
        ):
            self.yields[version_id] = yield_quantity
        for version_id, item_id, sub_id, gross in RecipeLine.objects.filter(version_id__in=self.current.values()).values_list(
            "version_id", "item_id", "sub_recipe_id", "gross_quantity"
        ):
            self.lines.setdefault(version_id, []).append((item_id, sub_id, gross))
        self._exploded: dict[int, dict[int, Decimal]] = {}

    def has_recipe(self, dish_id: int) -> bool:
        return dish_id in self.dish_recipe

    def per_portion(self, dish_id: int) -> dict[int, Decimal]:
        """{item id: base quantity} one portion of the dish takes from stock."""
        return self.per_unit(self.dish_recipe[dish_id])

    def per_unit(self, recipe_id: int, depth: int = 0) -> dict[int, Decimal]:
        if recipe_id in self._exploded:
            return self._exploded[recipe_id]
        if depth > MAX_DEPTH:
            raise InvalidRecipe(_("Recipes nest more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
        version_id = self.current[recipe_id]
        batch = self.yields[version_id]
        result: dict[int, Decimal] = {}
        for item_id, sub_id, gross in self.lines.get(version_id, []):
            if item_id is not None:
                result[item_id] = result.get(item_id, Decimal(0)) + gross / batch
            elif sub_id is not None:
                for sub_item, quantity in self.per_unit(sub_id, depth + 1).items():
                    result[sub_item] = result.get(sub_item, Decimal(0)) + gross * quantity / batch
        self._exploded[recipe_id] = result
        return result


def explode_dish(dish_id: int) -> dict[int, Decimal]:
    """{item id: base quantity} one portion takes from stock, through every sub-recipe level."""
    book = RecipeBook()
    if not book.has_recipe(dish_id):
        return {}
    return book.per_portion(dish_id)


def dish_costs(dishes: Sequence[Dish] | None = None) -> list[DishCost]:
    """Cost per portion rolled up from the ingredients' moving-average costs, and the margin on the price."""
    dishes = list(dishes) if dishes is not None else list(Dish.objects.filter(active=True))
    book = RecipeBook()
    usage = {dish.pk: book.per_portion(dish.pk) if book.has_recipe(dish.pk) else {} for dish in dishes}
    item_ids = {item_id for per in usage.values() for item_id in per}
    averages = dict(ItemValuation.objects.filter(item_id__in=item_ids).values_list("item_id", "average_cost"))
    result = []
    for dish in dishes:
        per = usage[dish.pk]
        cost = sum((quantity * averages.get(item_id, Decimal(0)) for item_id, quantity in per.items()), Decimal(0))
        cost = cost.quantize(Decimal("0.01"))
        margin = dish.price - cost
        pct = (margin / dish.price * HUNDRED).quantize(Decimal("0.1")) if dish.price > 0 else None
        missing = tuple(sorted(item_id for item_id in per if averages.get(item_id, Decimal(0)) == 0))
        result.append(DishCost(dish=dish, cost=cost, margin=margin, margin_pct=pct, missing_costs=missing))
    return result


# --- par levels ------------------------------------------------------------------------------------------


@transaction.atomic
def set_par_level(*, outlet_id: int, item_id: int, quantity: Decimal | str) -> ParLevel:
    outlet = outlet_by_id(outlet_id)
    if not Item.objects.filter(pk=item_id).exists():
        raise UnknownItem(_("No item with id %(id)s.") % {"id": item_id})
    par, _created = ParLevel.objects.update_or_create(
        outlet=outlet, item_id=item_id, defaults={"quantity": _decimal(quantity, "quantity", allow_zero=True)}
    )
    return par


# --- helpers ---------------------------------------------------------------------------------------------


def outlet_by_id(outlet_id: int) -> Outlet:
    outlet = Outlet.objects.select_related("store", "stock_location").filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound(_("No outlet with id %(id)s.") % {"id": outlet_id}, field="outletId")
    return outlet


def loss_location() -> Location:
    return get_virtual_location(LocationKind.INVENTORY_LOSS)


def _dish(dish_id: int | None) -> Dish:
    dish = Dish.objects.filter(pk=dish_id).first() if dish_id else None
    if dish is None:
        raise NotFound(_("No dish with id %(id)s.") % {"id": dish_id}, field="dishId")
    return dish


def _decimal(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise InvalidQuantity(_("%(value)s is not a number.") % {"value": value}, field=field) from error
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise InvalidQuantity(_("Enter a positive number."), field=field)
    return number
