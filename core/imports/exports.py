"""CSV export that is safe to open in Excel: formula-like cells are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """Prefix a quote to cells a spreadsheet would run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return buffer.getvalue()


def export_items_csv() -> str:
    from core.catalog.models import Item

    items = Item.objects.select_related("base_unit", "category").order_by("sku")
    return to_csv(
        ["sku", "name_zh", "name_en", "unit", "category", "barcodes", "lot_tracked", "pack_size", "moq"],
        (
            [
                i.sku,
                i.name_zh,
                i.name_en,
                i.base_unit.code,
                i.category.name if i.category else "",
                "|".join(i.barcodes),
                "yes" if i.lot_tracked else "no",
                i.pack_size,
                i.moq,
            ]
            for i in items
        ),
    )
