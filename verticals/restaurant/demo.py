"""Demo data for the restaurant module: a small hot-pot chain (火锅连锁) — outlets, ingredients with unit
conversions, a beef-tallow broth base as a sub-recipe, dishes with modifiers, opening stock, pars, a day of
POS sales and a waste record. Shared by the demo tenant, the tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.catalog.models import Item
from core.catalog.services import create_item, get_or_create_unit, set_unit_conversion
from core.inventory.factories import receive
from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
from verticals.restaurant.models import Dish, Outlet, RestaurantSettings
from verticals.restaurant.services import RecipeLineInput, add_modifier, create_dish, open_outlet, save_recipe, set_par_level

# sku, name, base unit, shelf life days, unit cost per base unit
INGREDIENTS = (
    ("HP-BEEF", "肥牛卷", "kg", 5, "68"),
    ("HP-TRIPE", "毛肚", "kg", 2, "90"),
    ("HP-TALLOW", "牛油", "kg", 180, "32"),
    ("HP-CHILLI", "干辣椒", "kg", 365, "40"),
    ("HP-PEPPER", "花椒", "kg", 365, "120"),
    ("HP-TOFU", "嫩豆腐", "pcs", 3, "2.5"),
    ("HP-GREENS", "青菜", "kg", 3, "8"),
    ("HP-SHRIMP", "虾滑", "kg", 3, "85"),
)


@dataclass
class HotpotChain:
    outlets: list[Outlet]
    items: dict[str, Item]
    dishes: dict[str, Dish] = field(default_factory=dict)


def build_hotpot_chain(outlets: int = 2, prefix: str = "HP", stock: Decimal | int = 200) -> HotpotChain:
    """Outlets `<prefix>-01…`, the menu and `stock` base units of every ingredient at each outlet."""
    jin = get_or_create_unit("jin", "斤")
    for code, name in (("kg", "千克"), ("g", "克"), ("pcs", "件"), ("L", "升"), ("portion", "份")):
        get_or_create_unit(code, name)
    items: dict[str, Item] = {}
    for sku, name, unit, shelf, _cost in INGREDIENTS:
        item = Item.objects.filter(sku=sku).first() or create_item(
            sku=sku, name_zh=name, base_unit_id=get_or_create_unit(unit).pk, shelf_life_days=shelf
        )
        items[sku] = item
        if unit == "kg":
            set_unit_conversion(item.pk, jin.pk, Decimal("0.5"))  # 1 斤 = 0.5 kg
            set_unit_conversion(item.pk, get_or_create_unit("g").pk, Decimal("0.001"))
    chain = HotpotChain(outlets=[], items=items)
    for n in range(1, outlets + 1):
        outlet = open_outlet(code=f"{prefix}-{n:02d}", name=f"蜀香火锅 {n} 号店", pos_secret=f"demo-secret-{n}")
        chain.outlets.append(outlet)
        for sku, _name, _unit, _shelf, cost in INGREDIENTS:
            receive(items[sku], outlet.stock_location, stock, unit_cost=cost)
            set_par_level(outlet_id=outlet.pk, item_id=items[sku].pk, quantity=Decimal(stock) / 4)
    RestaurantSettings.objects.get_or_create(defaults={"pos_secret": "demo-company-secret"})
    _menu(chain)
    return chain


def _menu(chain: HotpotChain) -> None:
    items = chain.items
    if Dish.objects.filter(code="D-BROTH").exists():
        chain.dishes = {dish.code: dish for dish in Dish.objects.filter(code__startswith="D-")}
        return
    # 牛油锅底: 10 L of base from tallow, chilli and pepper (the chilli loses 10% to stems)
    save_recipe(
        code="R-TALLOW-BASE",
        name="牛油底料",
        yield_unit="L",
        yield_quantity=10,
        lines=[
            RecipeLineInput(item_id=items["HP-TALLOW"].pk, quantity="3"),
            RecipeLineInput(item_id=items["HP-CHILLI"].pk, quantity="2", unit="jin", trim_loss_pct="10"),
            RecipeLineInput(item_id=items["HP-PEPPER"].pk, quantity="200", unit="g"),
        ],
    )
    specs = (
        ("D-BROTH", "牛油锅底", "Tallow broth", "68", [RecipeLineInput(sub_recipe_code="R-TALLOW-BASE", quantity="1.5")]),
        ("D-BEEF", "精品肥牛", "Sliced beef", "48", [RecipeLineInput(item_id=items["HP-BEEF"].pk, quantity="250", unit="g")]),
        (
            "D-TRIPE",
            "鲜毛肚",
            "Fresh tripe",
            "58",
            [RecipeLineInput(item_id=items["HP-TRIPE"].pk, quantity="200", unit="g", trim_loss_pct="5")],
        ),
        ("D-TOFU", "嫩豆腐", "Tofu", "12", [RecipeLineInput(item_id=items["HP-TOFU"].pk, quantity="1")]),
        (
            "D-GREENS",
            "时蔬拼盘",
            "Greens",
            "18",
            [RecipeLineInput(item_id=items["HP-GREENS"].pk, quantity="300", unit="g", trim_loss_pct="20")],
        ),
        (
            "D-SHRIMP",
            "手打虾滑",
            "Shrimp paste",
            "42",
            [RecipeLineInput(item_id=items["HP-SHRIMP"].pk, quantity="150", unit="g")],
        ),
    )
    for code, zh, en, price, lines in specs:
        dish = create_dish(code=code, name_zh=zh, name_en=en, price=price)
        save_recipe(code=f"R-{code}", name=zh, dish_id=dish.pk, lines=lines)
        chain.dishes[code] = dish
    add_modifier(dish_id=chain.dishes["D-BROTH"].pk, code="NO-CHILLI", item_id=items["HP-CHILLI"].pk, factor="0", name="不要辣")
    add_modifier(dish_id=chain.dishes["D-BEEF"].pk, code="EXTRA", item_id=items["HP-BEEF"].pk, factor="2", name="加量")


def build_restaurant_demo() -> None:
    """The demo tenant's hot-pot chain with yesterday's sales; safe to run twice."""
    if Outlet.objects.filter(store__code="HP-01").exists():
        return
    chain = build_hotpot_chain(outlets=3)
    sold_at = timezone.now() - timedelta(days=1)
    for outlet in chain.outlets:
        lines = [
            TicketLineInput(ticket_no=f"T{t:04d}", line_no=n, dish_code=code, quantity=1, sold_at=sold_at)
            for t in range(40)
            for n, code in enumerate(("D-BROTH", "D-BEEF", "D-TOFU", "D-GREENS"))
        ]
        ingest_ticket_lines(outlet.pk, lines, actor="demo")
