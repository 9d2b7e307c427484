"""What each import kind expects: its columns (with Chinese aliases) and how a cell becomes a value.

Validation never writes: every row is checked, every problem is reported with its row number and column,
and only a file without a single problem is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.imports.readers import Row
from core.input_limits import MAX_DAYS, MAX_MONEY, MAX_QUANTITY, MAX_UNIT_PRICE

Parser = Callable[[str], Any]


class CellError(ValueError):
    """A cell's text cannot become the column's value; the message is shown to the user."""


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"longer than {max_length} characters")
        return value

    return parse


def decimal(minimum: Decimal | None = Decimal("0"), allow_equal: bool = True, maximum: Decimal = MAX_QUANTITY) -> Parser:
    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise CellError(f"“{value}” is not a number") from None
        if not number.is_finite():
            raise CellError(f"“{value}” is not a number")
        if abs(number) > maximum:
            raise CellError(f"must be at most {maximum:,.0f}")
        if minimum is not None and (number < minimum or (not allow_equal and number == minimum)):
            raise CellError(f"must be {'at least' if allow_equal else 'greater than'} {minimum}")
        return number

    return parse


def integer(minimum: int = 0, maximum: int = MAX_DAYS) -> Parser:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise CellError(f"“{value}” is not a whole number") from None
        if number < minimum:
            raise CellError(f"must be at least {minimum}")
        if number > maximum:
            raise CellError(f"must be at most {maximum}")
        return number

    return parse


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "y", "是", "有"}:
        return True
    if lowered in {"0", "false", "no", "n", "否", "无"}:
        return False
    raise CellError(f"“{value}” is not yes/no (是/否)")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise CellError(f"“{value}” is not a date (YYYY-MM-DD)") from None


def choice(*allowed: str) -> Parser:
    def parse(value: str) -> str:
        lowered = value.lower()
        if lowered not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}")
        return lowered

    return parse


def word_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", "|").replace("，", "|").split("|") if part.strip()]


@dataclass(frozen=True)
class Column:
    name: str
    parser: Parser
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    columns: tuple[Column, ...]
    unique_column: str | None = None  # no two rows of a file may share it
    label_zh: str = ""
    label_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def resolve_headers(self, header: list[str]) -> tuple[dict[str, str], list[str]]:
        """Map each known column to the file's header (its own name or an alias); list missing required ones."""
        present = set(header)
        mapping: dict[str, str] = {}
        for column in self.columns:
            for candidate in (column.name, *column.aliases):
                if candidate in present:
                    mapping[column.name] = candidate
                    break
        missing = [column.name for column in self.columns if column.required and column.name not in mapping]
        return mapping, missing

    def parse_row(self, row: Row, mapping: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for column in self.columns:
            raw = row.cells.get(mapping.get(column.name, ""), "")
            if "\x00" in raw:
                problems.append((column.name, "contains a NUL character"))
                continue
            if raw == "":
                if column.required:
                    problems.append((column.name, "is required"))
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parser(raw)
            except CellError as error:
                problems.append((column.name, str(error)))
        return values, problems


ITEMS = ImportSpec(
    kind="items",
    label_zh="商品",
    label_en="Items",
    unique_column="sku",
    columns=(
        Column("sku", text(64), required=True, aliases=("编码", "商品编码")),
        Column("name_zh", text(200), required=True, aliases=("名称", "商品名称", "name")),
        Column("name_en", text(200), aliases=("英文名称",), default=""),
        Column("unit", text(20), required=True, aliases=("单位", "base_unit")),
        Column("category", text(120), aliases=("类别", "品类"), default=""),
        Column("barcodes", word_list, aliases=("条码", "barcode"), default=[]),
        Column("lot_tracked", boolean, aliases=("批次管理",), default=False),
        Column("shelf_life_days", integer(1), aliases=("保质期天数",)),
        Column("cost_method", choice("moving_average", "fifo_lot"), aliases=("计价方法",), default="moving_average"),
        Column("removal_strategy", choice("fifo", "fefo"), aliases=("出库策略",), default="fifo"),
        Column("pack_size", decimal(Decimal("0"), allow_equal=False), aliases=("包装规格",), default=Decimal("1")),
        Column("moq", decimal(), aliases=("最小起订量",), default=Decimal("0")),
    ),
)

SUPPLIERS = ImportSpec(
    kind="suppliers",
    label_zh="供应商",
    label_en="Suppliers",
    unique_column="code",
    columns=(
        Column("code", text(40), required=True, aliases=("编码", "供应商编码")),
        Column("name", text(200), required=True, aliases=("名称", "供应商名称")),
        Column("lead_time_days", integer(0), aliases=("交期天数", "declared_lead_time_days"), default=7),
        Column("moq", decimal(), aliases=("最小起订量",), default=Decimal("0")),
        Column("currency", choice("cny", "usd", "eur", "hkd", "jpy"), aliases=("币种",), default="cny"),
    ),
)

CUSTOMERS = ImportSpec(
    kind="customers",
    label_zh="客户",
    label_en="Customers",
    unique_column="code",
    columns=(
        Column("code", text(40), required=True, aliases=("编码", "客户编码")),
        Column("name", text(200), required=True, aliases=("名称", "客户名称")),
        Column("tier", text(20), aliases=("等级", "客户等级"), default="standard"),
        Column("credit_limit", decimal(maximum=MAX_MONEY), aliases=("信用额度",), default=Decimal("0")),
        Column("address", text(500), aliases=("地址", "收货地址"), default=""),
        Column("tags", word_list, aliases=("标签",), default=[]),
    ),
)

OPENING_STOCK = ImportSpec(
    kind="opening_stock",
    label_zh="期初库存",
    label_en="Opening stock",
    columns=(
        Column("sku", text(64), required=True, aliases=("编码", "商品编码")),
        Column("location", text(80), required=True, aliases=("库位", "仓库", "location_code")),
        Column("quantity", decimal(Decimal("0"), allow_equal=False), required=True, aliases=("数量",)),
        Column("unit_cost", decimal(maximum=MAX_UNIT_PRICE), required=True, aliases=("单价", "成本")),
        Column("lot_code", text(80), aliases=("批次", "批号"), default=""),
        Column("expiry_date", iso_date, aliases=("到期日", "有效期至")),
    ),
)

SPECS: dict[str, ImportSpec] = {spec.kind: spec for spec in (ITEMS, SUPPLIERS, CUSTOMERS, OPENING_STOCK)}
