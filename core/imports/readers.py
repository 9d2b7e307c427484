"""Read an uploaded spreadsheet (CSV or XLSX) into rows of text cells keyed by normalised header."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from core.imports.exceptions import ImportErrorCode, UnreadableFile

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# Encodings seen in Chinese small-business exports: UTF-8 (with or without BOM) and GB18030 (Excel on
# a Chinese Windows). Anything else is refused rather than imported as mojibake.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet row number a person sees (the header is row 1)
    cells: dict[str, str]


def normalise_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    if not data:
        raise UnreadableFile("The file is empty (0 bytes).", code=ImportErrorCode.EMPTY_FILE)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", code=ImportErrorCode.FILE_TOO_LARGE)
    if filename.lower().endswith(".xlsx"):
        table = _read_xlsx(data)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise UnreadableFile("Upload a .csv or .xlsx file.", code=ImportErrorCode.UNSUPPORTED_FORMAT)
    if not table or not any(cell.strip() for cell in table[0]):
        raise UnreadableFile("The first row must hold the column names.", code=ImportErrorCode.MISSING_HEADER)
    header = [normalise_header(cell) for cell in table[0]]
    rows = []
    for offset, values in enumerate(table[1:], start=2):
        if not any(value.strip() for value in values):
            continue  # blank lines are not rows
        padded = list(values) + [""] * (len(header) - len(values))
        rows.append(Row(offset, {name: padded[i].strip() for i, name in enumerate(header) if name}))
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(f"At most {MAX_ROWS} rows per file.", code=ImportErrorCode.FILE_TOO_LARGE)
    return header, rows


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise UnreadableFile("The file is neither UTF-8 nor GB18030 text.", code=ImportErrorCode.BAD_ENCODING)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile("The file is not a readable .xlsx workbook.", code=ImportErrorCode.UNSUPPORTED_FORMAT) from error
    sheet = workbook.worksheets[0]
    table = [["" if value is None else _cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return table


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()  # type: ignore[union-attr]
    return str(value)
