"""Read an uploaded spreadsheet (CSV or XLSX) into rows of text cells keyed by normalised header.

A hostile file must cost little to refuse. An .xlsx is a zip: its declared sizes and compression ratio are
checked from the zip directory before anything is decompressed (Python's zip reader never inflates past
the declared size, so the declared size bounds the work). Rows are then streamed (openpyxl read-only)
and counted as they come, so a file over the row or column limit stops at the first row too many, and the
whole read runs against a time budget. CSV text must be UTF-8 or GB18030, sniffed explicitly.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.imports.exceptions import ImportErrorCode, UnreadableFile

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit
# A legitimate 50,000-row workbook inflates to about 30 MB; its parts compress 5-30 times.
MAX_UNCOMPRESSED_BYTES = 80 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024  # tiny parts (styles, rels) may compress very well and cost nothing
# Encodings seen in Chinese small-business exports: UTF-8 (with or without BOM) and GB18030 (Excel on
# a Chinese Windows). Anything else is refused rather than imported as mojibake.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Share of non-ASCII characters of a GB18030 reading that must be everyday (GB2312) characters. Chinese
# text is almost all GB2312; Shift-JIS or Big5 bytes read as GB18030 land mostly in the rare extension rows.
GB_COMMON_SHARE = 0.7


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet row number a person sees (the header is row 1)
    cells: dict[str, str]


class _Budget:
    """The per-request time budget of one read: checked between rows, so a slow file stops mid-way.

    Counted in this thread's CPU time: it bounds the work a file can cost, while a legitimate file read on a
    busy machine (waiting for a core, not working) is not refused for the load others cause.
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = time.thread_time() + seconds
        self.seconds = seconds

    def check(self) -> None:
        if time.thread_time() > self.deadline:
            raise UnreadableFile(
                _("Reading the file took longer than %(seconds)d seconds; split it into smaller files.")
                % {"seconds": self.seconds},
                code=ImportErrorCode.TIME_BUDGET_EXCEEDED,
            )


def normalise_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    if not data:
        raise UnreadableFile(_("The file is empty (0 bytes)."), code=ImportErrorCode.EMPTY_FILE)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, code=ImportErrorCode.FILE_TOO_LARGE
        )
    budget = _Budget(float(getattr(settings, "IMPORT_TIME_BUDGET_SECONDS", 30)))
    if filename.lower().endswith(".xlsx"):
        lines = _xlsx_lines(data)
    elif filename.lower().endswith((".csv", ".txt")):
        lines = _csv_lines(decode_text(data))
    else:
        raise UnreadableFile(_("Upload a .csv or .xlsx file."), code=ImportErrorCode.UNSUPPORTED_FORMAT)
    return _table(lines, budget)


def _table(lines: Iterable[list[str]], budget: _Budget) -> tuple[list[str], list[Row]]:
    iterator = iter(lines)
    first = _checked(next(iterator, []), 1)
    if not any(cell.strip() for cell in first):
        raise UnreadableFile(_("The first row must hold the column names."), code=ImportErrorCode.MISSING_HEADER)
    header = [normalise_header(cell) for cell in first]
    rows: list[Row] = []
    for number, values in enumerate(iterator, start=2):
        budget.check()
        if number > 2 * MAX_ROWS + 1:  # blank lines count too: a million empty rows is no cheaper to read
            raise UnreadableFile(_("At most %(rows)d rows per file.") % {"rows": MAX_ROWS}, code=ImportErrorCode.FILE_TOO_LARGE)
        values = _checked(values, number)
        if not any(value.strip() for value in values):
            continue  # blank lines are not rows
        if len(rows) == MAX_ROWS:
            raise UnreadableFile(_("At most %(rows)d rows per file.") % {"rows": MAX_ROWS}, code=ImportErrorCode.FILE_TOO_LARGE)
        padded = list(values) + [""] * (len(header) - len(values))
        rows.append(Row(number, {name: padded[i].strip() for i, name in enumerate(header) if name}))
    return header, rows


def _checked(values: list[str], number: int) -> list[str]:
    while values and not values[-1]:
        values = values[:-1]  # trailing empty cells are formatting, not columns
    if len(values) > MAX_COLUMNS:
        raise UnreadableFile(
            _("Row %(row)d has %(count)d columns; at most %(limit)d are read.")
            % {"row": number, "count": len(values), "limit": MAX_COLUMNS},
            code=ImportErrorCode.TOO_MANY_COLUMNS,
        )
    if any(len(value) > MAX_CELL_CHARACTERS for value in values):
        raise UnreadableFile(
            _("Row %(row)d has a cell longer than %(limit)d characters.") % {"row": number, "limit": MAX_CELL_CHARACTERS},
            code=ImportErrorCode.FILE_TOO_LARGE,
        )
    return values


# --- CSV ------------------------------------------------------------------------------------------


def _csv_lines(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:  # a field over the csv module's own limit, a broken quote
        raise UnreadableFile(
            _("The CSV file cannot be read: %(reason)s") % {"reason": error}, code=ImportErrorCode.UNSUPPORTED_FORMAT
        ) from error


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided from the bytes; anything else is refused.

    GB18030 maps almost every byte sequence to some character, so "it decodes" proves nothing: a Shift-JIS
    file decodes as GB18030 into rare characters. It is accepted only when its characters are everyday
    Chinese (GB2312) ones.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(_("The file is UTF-16 text; save it as UTF-8 or GB18030."), code=ImportErrorCode.BAD_ENCODING)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    common = sum(1 for ch in wide if _in_gb2312(ch))
    if text and "\x00" not in text and common >= GB_COMMON_SHARE * len(wide):
        return text
    raise UnreadableFile(
        _("The file is neither UTF-8 nor GB18030 text (Shift-JIS, Big5 and other encodings are not read); save it as UTF-8."),
        code=ImportErrorCode.BAD_ENCODING,
    )


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


# --- XLSX -----------------------------------------------------------------------------------------


def check_archive(data: bytes) -> None:
    """Refuse a zip whose parts would inflate past the limits, from its directory alone (nothing inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnreadableFile(_("The file is not a readable .xlsx workbook."), code=ImportErrorCode.UNSUPPORTED_FORMAT) from error
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            _("The workbook unpacks to %(mb)d MB; at most %(limit)d MB are read.")
            % {"mb": total // (1024 * 1024), "limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
            code=ImportErrorCode.ARCHIVE_TOO_LARGE,
        )
    for member in members:
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableFile(
                _("The workbook part %(part)s is compressed %(ratio)d times; this looks like a zip bomb and is not read.")
                % {"part": member.filename, "ratio": ratio},
                code=ImportErrorCode.ARCHIVE_TOO_LARGE,
            )


def _xlsx_lines(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken workbook; all mean "unreadable"
        raise UnreadableFile(_("The file is not a readable .xlsx workbook."), code=ImportErrorCode.UNSUPPORTED_FORMAT) from error
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension (A1:XFD1048576 in a hostile file) would pad every row to it: ignore it.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for row in sheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS and any(value is not None for value in row[MAX_COLUMNS:]):
                yield ["x"] * len(row)  # refused by the column check with the real count
                return
            yield ["" if value is None else _cell_text(value) for value in row[:MAX_COLUMNS]]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()  # type: ignore[union-attr]
    return str(value)
