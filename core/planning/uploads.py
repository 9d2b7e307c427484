"""Demand-history uploads: validate every row of a CSV, then store the file and add its rows to the tenant's
history, or reject it whole with its errors per row (a bad file imports nothing)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Actor, actor_label
from core.catalog.models import Item
from core.locations.models import Location
from core.planning.history import HistoryEntry, record_upload_rows
from core.planning.models import DemandHistoryUpload, UploadStatus
from tenants.schemas import current_schema

# Column → the header names a file may use for it (the English name first, then Chinese aliases as in the
# item import, core/imports/specs.py).
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期"),
    "sku": ("sku", "编码", "商品编码"),
    "location": ("location", "location_code", "库位", "仓库", "门店", "地点"),
    "quantity": ("quantity", "数量", "销量"),
    "price": ("price", "价格", "单价"),
    "promo": ("promo", "促销"),
    "open": ("open", "营业"),
}
REQUIRED_COLUMNS = ("date", "sku", "location")
PLAN_COLUMNS = ("price", "promo", "open")
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM) first: GB18030 would accept some UTF-8 too
FLAGS = {"": None, "0": False, "1": True, "false": False, "true": True, "no": False, "yes": True, "n": False, "y": True}
FLAGS |= {"否": False, "是": True}
MAX_ERRORS = 200  # a page of errors is enough to fix a file; the rest repeat
DEFAULT_MAX_MB = 20


@dataclass
class ParsedRow:
    date: date
    sku: str
    location: str
    quantity: Decimal | None  # None: a plan row
    price: Decimal | None
    promo: bool
    is_open: bool | None


@dataclass
class Validation:
    encoding: str = ""
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


def max_upload_bytes() -> int:
    return int(getattr(settings, "ML_UPLOAD_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024)


def _decode(data: bytes, result: Validation) -> str | None:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        result.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        return text
    result.error(0, "", _("The file is neither UTF-8 nor GB18030 text."))
    return None


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(raw: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_row(line: int, record: dict[str, str], known: tuple[set[str], set[str]], today: date, out: Validation) -> None:
    before = len(out.errors)
    day = _date(record["date"])
    if day is None:
        out.error(line, "date", _("%(value)r is not a date (YYYY-MM-DD).") % {"value": record["date"]})
    sku, location = record["sku"], record["location"]
    if sku not in known[0]:
        out.error(line, "sku", _("Unknown SKU %(sku)r.") % {"sku": sku})
    if location not in known[1]:
        out.error(line, "location", _("Unknown location %(location)r.") % {"location": location})
    quantity: Decimal | None = None
    if record.get("quantity"):
        quantity = _decimal(record["quantity"])
        if quantity is None:
            out.error(line, "quantity", _("%(value)r is not a number.") % {"value": record["quantity"]})
        elif quantity < 0:
            out.error(line, "quantity", _("The quantity must not be negative."))
        elif day is not None and day > today:
            out.error(line, "quantity", _("A future day is a plan row: it takes promo, price or open, not a quantity."))
    elif not any(record.get(column) for column in PLAN_COLUMNS):
        out.error(line, "quantity", _("The quantity is missing (a plan row needs promo, price or open)."))
    price: Decimal | None = None
    if record.get("price"):
        price = _decimal(record["price"])
        if price is None or price < 0:
            out.error(line, "price", _("%(value)r is not a price.") % {"value": record["price"]})
    flags: dict[str, bool | None] = {}
    for column in ("promo", "open"):
        raw = record.get(column, "").lower()
        if raw not in FLAGS:
            out.error(line, column, _("%(value)r is not a yes/no flag (1/0).") % {"value": record[column]})
        flags[column] = FLAGS.get(raw)
    if len(out.errors) == before and day is not None:
        out.rows.append(ParsedRow(day, sku, location, quantity, price, bool(flags["promo"]), flags["open"]))


def _header(names: list[str], out: Validation) -> list[str] | None:
    """The file's header mapped to column names; None (with errors) when it does not fit."""
    by_alias = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}
    mapped = []
    for name in names:
        column = by_alias.get(name.strip().lower())
        if column is None:
            out.error(
                1, name, _("Unknown column %(name)r; expected %(expected)s.") % {"name": name, "expected": ", ".join(COLUMNS)}
            )
        mapped.append(column or "")
    for column in REQUIRED_COLUMNS:
        if column not in mapped:
            out.error(1, column, _("Missing column %(name)r.") % {"name": column})
    named = [column for column in mapped if column]
    if len(set(named)) != len(named):
        out.error(1, "", _("A column appears twice."))
    return None if out.errors else mapped


def validate_demand_history(data: bytes) -> Validation:
    """Check the whole file; `errors` lists every problem found (row 1 is the header), `rows` the good rows."""
    out = Validation()
    if not data:
        out.error(0, "", _("The file is empty."))
        return out
    if len(data) > max_upload_bytes():
        out.error(0, "", _("The file is larger than %(mb)d MB.") % {"mb": max_upload_bytes() // (1024 * 1024)})
        return out
    text = _decode(data, out)
    if text is None:
        return out
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(next(reader, []), out)
    if header is None:
        return out
    known = (set(Item.objects.values_list("sku", flat=True)), set(Location.objects.values_list("code", flat=True)))
    today = timezone.localdate()
    seen: set[tuple[date, str, str]] = set()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            out.error(
                line, "", _("Expected %(expected)d values, found %(found)d.") % {"expected": len(header), "found": len(values)}
            )
            continue
        count = len(out.rows)
        _parse_row(line, dict(zip(header, (v.strip() for v in values), strict=True)), known, today, out)
        if len(out.rows) > count:
            key = (out.rows[-1].date, out.rows[-1].sku, out.rows[-1].location)
            if key in seen:
                out.rows.pop()
                out.error(line, "date", _("The same date, SKU and location appear twice."))
            seen.add(key)
    if not out.rows and not out.errors:
        out.error(2, "", _("The file has no data rows."))
    return out


def upload_key(schema: str, filename: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "sales.csv"
    return f"tenants/{schema}/uploads/{uuid.uuid4().hex}/{safe[-120:]}"


def upload_demand_history(data: bytes, filename: str, actor: Actor | str, module: str = "core") -> DemandHistoryUpload:
    """Validate the file; a good one is stored under the tenant's prefix and its rows added to the history,
    all or nothing (rows of the same day × item × location from earlier uploads are superseded, kept for audit).

    A bad one is recorded as `rejected` with its row-level errors so the page can show them; nothing else
    is written. The returned upload is `validated` or `rejected`.
    """
    checked = validate_demand_history(data)
    record = DemandHistoryUpload(
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=checked.encoding,
        module=module,
        created_by=actor_label(actor),
    )
    if checked.errors:
        record.status, record.errors = UploadStatus.REJECTED, checked.errors
        record.save()
        return record
    with transaction.atomic():
        record.status = UploadStatus.VALIDATED
        record.row_count = sum(1 for r in checked.rows if r.quantity is not None)
        record.plan_row_count = len(checked.rows) - record.row_count
        record.save()
        items = dict(Item.objects.values_list("sku", "pk"))
        locations = dict(Location.objects.values_list("code", "pk"))
        entries = (
            HistoryEntry(items[r.sku], locations[r.location], r.date, r.quantity, r.price, r.promo, r.is_open)
            for r in checked.rows
        )
        record.replaced_row_count = record_upload_rows(record, entries)
        # Stored last, inside the transaction: a storage failure leaves no rows behind.
        record.storage_key = storages["default"].save(upload_key(current_schema(), filename), ContentFile(data))
        record.save(update_fields=["storage_key", "replaced_row_count", "updated_at"])
    return record
