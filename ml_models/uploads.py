"""Sales-history uploads: validate every row of a CSV, then store the file and import its rows, or reject it whole."""

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

from core.access import Actor, actor_label
from core.catalog.models import Item
from core.locations.models import Location
from ml_models.models import SalesHistoryRow, SalesHistoryUpload, UploadStatus
from tenants.schemas import current_schema

REQUIRED_COLUMNS = ("date", "sku", "location", "quantity")
OPTIONAL_COLUMNS = ("price", "promo")
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM) first: GB18030 would accept some UTF-8 too
PROMO_VALUES = {"": False, "0": False, "1": True, "false": False, "true": True, "no": False, "yes": True, "n": False, "y": True}
MAX_ERRORS = 200  # a page of errors is enough to fix a file; the rest repeat
DEFAULT_MAX_MB = 20


@dataclass
class ParsedRow:
    date: date
    sku: str
    location: str
    quantity: Decimal
    price: Decimal | None
    promo: bool


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
    result.error(0, "", "the file is neither UTF-8 nor GB18030 text")
    return None


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _parse_row(line: int, record: dict[str, str], known_skus: set[str], known_locations: set[str], out: Validation) -> None:
    before = len(out.errors)
    raw_date = record["date"]
    parsed_date: date | None = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
        try:
            parsed_date = date.fromisoformat(raw_date)
        except ValueError:
            parsed_date = None
    if parsed_date is None:
        out.error(line, "date", f"{raw_date!r} is not a date (YYYY-MM-DD)")
    sku, location = record["sku"], record["location"]
    if sku not in known_skus:
        out.error(line, "sku", f"unknown SKU {sku!r}")
    if location not in known_locations:
        out.error(line, "location", f"unknown location {location!r}")
    quantity = _decimal(record["quantity"])
    if quantity is None:
        out.error(line, "quantity", f"{record['quantity']!r} is not a number")
    elif quantity < 0:
        out.error(line, "quantity", "quantity must not be negative")
    price: Decimal | None = None
    if record.get("price"):
        price = _decimal(record["price"])
        if price is None or price < 0:
            out.error(line, "price", f"{record['price']!r} is not a price")
    promo_raw = record.get("promo", "").lower()
    if promo_raw not in PROMO_VALUES:
        out.error(line, "promo", f"{record['promo']!r} is not a promotion flag (0/1)")
    if len(out.errors) == before:
        out.rows.append(ParsedRow(parsed_date, sku, location, quantity, price, PROMO_VALUES[promo_raw]))  # type: ignore[arg-type]


def validate_sales_history(data: bytes) -> Validation:
    """Check the whole file; `errors` lists every problem found (row 1 is the header), `rows` the good rows."""
    out = Validation()
    if not data:
        out.error(0, "", "the file is empty")
        return out
    if len(data) > max_upload_bytes():
        out.error(0, "", f"the file is larger than {max_upload_bytes() // (1024 * 1024)} MB")
        return out
    text = _decode(data, out)
    if text is None:
        return out
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    for column in missing:
        out.error(1, column, f"missing column {column!r}")
    for column in unknown:
        out.error(1, column, f"unknown column {column!r}; expected {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    if len(set(header)) != len(header):
        out.error(1, "", "a column appears twice")
    if out.errors:
        return out
    known_skus = set(Item.objects.values_list("sku", flat=True))
    known_locations = set(Location.objects.values_list("code", flat=True))
    seen: set[tuple[date, str, str]] = set()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            out.error(line, "", f"expected {len(header)} values, found {len(values)}")
            continue
        count = len(out.rows)
        _parse_row(line, dict(zip(header, (v.strip() for v in values), strict=True)), known_skus, known_locations, out)
        if len(out.rows) > count:
            key = (out.rows[-1].date, out.rows[-1].sku, out.rows[-1].location)
            if key in seen:
                out.rows.pop()
                out.error(line, "date", "the same date, SKU and location appear twice")
            seen.add(key)
    if not out.rows and not out.errors:
        out.error(2, "", "the file has no data rows")
    return out


def upload_key(schema: str, filename: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "sales.csv"
    return f"tenants/{schema}/uploads/{uuid.uuid4().hex}/{safe[-120:]}"


def upload_sales_history(data: bytes, filename: str, actor: Actor | str, module: str = "core") -> SalesHistoryUpload:
    """Validate the file; a good one is stored under the tenant's prefix and its rows imported, all or nothing.

    A bad one is recorded as `rejected` with its row-level errors so the page can show them; nothing else
    is written. The returned upload is `validated` or `rejected`.
    """
    checked = validate_sales_history(data)
    record = SalesHistoryUpload(
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
        record.status, record.row_count = UploadStatus.VALIDATED, len(checked.rows)
        record.save()
        items = dict(Item.objects.values_list("sku", "pk"))
        locations = dict(Location.objects.values_list("code", "pk"))
        SalesHistoryRow.objects.bulk_create(
            (
                SalesHistoryRow(
                    upload=record,
                    item_id=items[r.sku],
                    location_id=locations[r.location],
                    date=r.date,
                    quantity=r.quantity,
                    price=r.price,
                    promo=r.promo,
                )
                for r in checked.rows
            ),
            batch_size=2000,
        )
        # Stored last, inside the transaction: a storage failure leaves no rows behind.
        record.storage_key = storages["default"].save(upload_key(current_schema(), filename), ContentFile(data))
        record.save(update_fields=["storage_key", "updated_at"])
    return record
