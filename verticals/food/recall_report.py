"""The recall report: CSV for spreadsheets, PDF for the authority and the stores (fpdf2, Noto Sans CJK)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF

from verticals.food.models import Recall
from verticals.food.recall import RecallTrace

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SIMPLIFIED_CHINESE_FACE = 2  # the collection's faces: JP, KR, SC, TC, HK


def recall_csv(recall: Recall, trace: RecallTrace) -> str:
    """Two tables in one sheet: what is still in stock per location (to pull), then every move traced."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Recall"), recall.pk, _("Lot"), trace.lot.code, _("Trace time (ms)"), recall.trace_ms])
    writer.writerow([])
    writer.writerow([_("Location"), _("Item"), _("Lot"), _("Quantity in stock")])
    for row in trace.in_stock:
        writer.writerow([row.location_code, row.item_sku, row.lot_code, row.on_hand])
    writer.writerow([])
    writer.writerow([_("Date"), _("Kind"), _("Item"), _("Lot"), _("From"), _("To"), _("Quantity"), _("Document")])
    for move in trace.moves:
        writer.writerow(
            [
                move.occurred_at.isoformat(),
                move.kind,
                move.item_sku,
                move.lot_code,
                move.from_code,
                move.to_code,
                move.quantity,
                move.document,
            ]
        )
    writer.writerow([])
    writer.writerow([_("Customer"), _("Quantity received")])
    for customer, quantity in sorted(trace.customers.items()):
        writer.writerow([customer, quantity])
    return out.getvalue()


def recall_pdf(recall: Recall, trace: RecallTrace) -> bytes:
    pdf = FPDF()
    pdf.add_font("NotoSansCJK", "", str(CJK_FONT), collection_font_number=SIMPLIFIED_CHINESE_FACE)
    pdf.add_font("NotoSansCJK", "B", str(CJK_BOLD), collection_font_number=SIMPLIFIED_CHINESE_FACE)  # table headings
    pdf.set_font("NotoSansCJK", size=14)
    pdf.add_page()
    pdf.cell(
        0, 10, _("Recall report %(id)s — lot %(lot)s") % {"id": recall.pk, "lot": trace.lot.code}, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font_size(9)
    summary = _("Started %(at)s by %(who)s; trace took %(ms)s ms; %(lots)s lots, %(moves)s moves.") % {
        "at": recall.started_at.strftime("%Y-%m-%d %H:%M"),
        "who": recall.started_by,
        "ms": recall.trace_ms,
        "lots": recall.traced_lot_count,
        "moves": recall.move_count,
    }
    pdf.multi_cell(0, 6, summary, new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        _("Still in stock"),
        [_("Location"), _("Item"), _("Lot"), _("Quantity")],
        [[r.location_code, r.item_sku, r.lot_code, str(r.on_hand)] for r in trace.in_stock],
    )
    _table(pdf, _("Customers"), [_("Customer"), _("Quantity")], [[c, str(q)] for c, q in sorted(trace.customers.items())])
    _table(
        pdf,
        _("Moves"),
        [_("Date"), _("Kind"), _("Lot"), _("From"), _("To"), _("Quantity")],
        [[m.occurred_at.strftime("%Y-%m-%d"), m.kind, m.lot_code, m.from_code, m.to_code, str(m.quantity)] for m in trace.moves],
    )
    return bytes(pdf.output())


def _table(pdf: FPDF, title: str, header: list[str], rows: list[list[str]]) -> None:
    pdf.ln(3)
    pdf.set_font_size(11)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8)
    with pdf.table(col_widths=tuple(1 for _ in header), text_align="LEFT") as table:
        table.row(header)
        for values in rows:
            table.row(values)
