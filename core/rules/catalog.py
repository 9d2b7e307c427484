"""The field catalog: every field path a rule may test or set, with its type, zh/en labels and grammar synonyms.

Modules extend it with `register_fields(...)` in their AppConfig.ready(); the grammar, the type checker and
the rules center all read this one registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"  # Decimal: money, quantities, percentages
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"


@dataclass(frozen=True)
class EnumChoice:
    value: str
    label_zh: str = ""
    label_en: str = ""

    def label(self, language: str) -> str:
        return (self.label_en if language == "en" else self.label_zh) or self.value


@dataclass(frozen=True)
class FieldSpec:
    path: str
    type: FieldType
    label_zh: str
    label_en: str
    synonyms_zh: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()
    choices: tuple[EnumChoice, ...] = ()
    settable: bool = False  # may a set_field action write it
    module: str = "core"
    # Where the value lives in the evaluation context when the model names it differently from the rule
    # language (purchase_order.is_urgent is PurchaseOrder.urgent); empty when it is `path` itself.
    source: str = ""

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_zh

    def names(self, language: str) -> tuple[str, ...]:
        """The label and synonyms the grammar recognises in `language` (the path itself works in both)."""
        if language == "en":
            return (self.label_en, *self.synonyms_en, self.path)
        return (self.label_zh, *self.synonyms_zh, self.path)

    def choice(self, value: str) -> EnumChoice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass
class FieldCatalog:
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    generation: int = 0  # bumped on every registration so the grammar rebuilds its phrase tables

    def register(self, *specs: FieldSpec) -> None:
        for spec in specs:
            self.fields[spec.path] = spec
        self.generation += 1

    def get(self, path: str) -> FieldSpec | None:
        return self.fields.get(path)

    def source_path(self, path: str) -> str:
        """The dotted path to read or write in the context for a rule field path."""
        spec = self.fields.get(path)
        return spec.source if spec is not None and spec.source else path

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.fields.values())


catalog = FieldCatalog()


def register_fields(*specs: FieldSpec) -> None:
    """Add (or replace) field paths; called by modules from their AppConfig.ready()."""
    catalog.register(*specs)


def _enum(*choices: tuple[str, str, str]) -> tuple[EnumChoice, ...]:
    return tuple(EnumChoice(value, zh, en) for value, zh, en in choices)


S, N, B, D, E = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE, FieldType.ENUM

ROLE_CHOICES = _enum(
    ("owner", "所有者", "owner"),
    ("admin", "管理员", "admin"),
    ("manager", "经理", "manager"),
    ("clerk", "文员", "clerk"),
    ("viewer", "查看者", "viewer"),
)

CORE_FIELDS = (
    FieldSpec(
        "customer.tier",
        E,
        "客户等级",
        "customer tier",
        ("客户级别",),
        ("customer level",),
        # The partners' tiers (matched without regard to case: a customer's "vip" is "VIP") plus gold and silver.
        _enum(
            ("VIP", "VIP", "VIP"),
            ("gold", "金牌", "gold"),
            ("silver", "银牌", "silver"),
            ("standard", "普通", "standard"),
            ("wholesale", "批发", "wholesale"),
            ("key_account", "大客户", "key account"),
        ),
    ),
    FieldSpec("customer.name", S, "客户名称", "customer name"),
    FieldSpec("customer.credit_limit", N, "信用额度", "credit limit"),
    FieldSpec("order.total", N, "订单金额", "order total", ("订单总额",), ("order amount",)),
    FieldSpec("order.shipping_address", S, "收货地址", "shipping address", ("送货地址",), ("delivery address",)),
    FieldSpec("order.is_urgent", B, "加急订单", "urgent order", ("加急",), ("urgent",), settable=True),
    FieldSpec("order.order_date", D, "下单日期", "order date"),
    FieldSpec("order.line_count", N, "订单行数", "line count"),
    FieldSpec(
        "order.shipping_method",
        E,
        "配送方式",
        "shipping method",
        ("运输方式",),
        ("delivery method",),
        _enum(
            ("standard", "标准配送", "standard delivery"),
            ("express", "快递", "express"),
            ("air_priority", "空运优先", "air priority"),
            ("cold_chain", "冷链配送", "cold chain"),
            ("pickup", "自提", "pickup"),
        ),
        settable=True,
    ),
    FieldSpec("order.note", S, "订单备注", "order note", settable=True, source="order.notes"),
    FieldSpec("item.category", S, "商品类别", "item category", ("品类",), ("category",)),
    FieldSpec("item.sku", S, "商品编码", "item sku", ("SKU",), ("sku",)),
    FieldSpec("item.shelf_life_days", N, "保质期天数", "shelf life days"),
    FieldSpec("lot.days_to_expiry", N, "批次剩余天数", "days to expiry", ("剩余天数",), ("lot days to expiry",)),
    FieldSpec("lot.expiry_date", D, "批次到期日", "expiry date"),
    FieldSpec("stock.on_hand", N, "现有库存", "on hand", ("在库数量",), ("stock on hand",)),
    FieldSpec("stock.inventory_position", N, "库存头寸", "inventory position"),
    FieldSpec("stock.reorder_point", N, "再订货点", "reorder point"),
    FieldSpec(
        "signal.precipitation_probability", N, "降水概率", "precipitation probability", ("下雨概率",), ("rain probability",)
    ),
    FieldSpec("signal.temperature_c", N, "气温", "temperature", ("温度",), ("temperature celsius",)),
    FieldSpec("calendar.is_weekend", B, "周末", "weekend", ("是周末",), ("is weekend",)),
    FieldSpec("calendar.is_holiday", B, "节假日", "holiday", ("假日",), ("is holiday",)),
    FieldSpec("calendar.date", D, "日期", "date"),
    # The size of the latest day-over-day market price move of the document's items, in % (a 4% fall reads 4).
    FieldSpec("market.price_change_pct", N, "价格日涨跌幅", "price change pct", ("涨跌幅",), ("price change percent",)),
    FieldSpec("purchase_order.total", N, "采购金额", "purchase order total", ("采购订单金额",), ("po total",)),
    FieldSpec(
        "purchase_order.is_urgent",
        B,
        "加急采购",
        "urgent purchase",
        (),
        ("urgent purchase order",),
        settable=True,
        source="purchase_order.urgent",
    ),
    FieldSpec("supplier.name", S, "供应商名称", "supplier name"),
    FieldSpec("supplier.on_time_rate", N, "供应商准时率", "supplier on time rate"),
    FieldSpec("forecast.p90", N, "预测P90", "forecast p90"),
    FieldSpec("forecast.change_pct", N, "预测变化率", "forecast change pct"),
)

register_fields(*CORE_FIELDS)


# Known triggers for the rules center; any dotted `subject.event` name or a cron schedule is accepted.
KNOWN_TRIGGERS: dict[str, tuple[str, str]] = {
    "purchase_order.submitted": ("采购单提交", "purchase order submitted"),
    "sales_order.confirmed": ("销售单确认", "sales order confirmed"),
    "stock.below_reorder_point": ("库存低于再订货点", "stock below reorder point"),
    "lot.near_expiry": ("批次临期", "lot near expiry"),
    "signal.weather_updated": ("天气更新", "weather updated"),
    "forecast.updated": ("预测更新", "forecast updated"),
}


def register_triggers(triggers: dict[str, tuple[str, str]]) -> None:
    KNOWN_TRIGGERS.update(triggers)
