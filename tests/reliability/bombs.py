"""Hostile spreadsheets built the way an attacker builds them: a real workbook whose sheet is replaced by a
huge, highly repetitive XML part, deflated in chunks (never held whole in memory)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

# Rows without their `r` number: every row is the same bytes, which is what deflates a thousand times.
ROW = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'


def zip_bomb(target_compressed_bytes: int = 430_000) -> bytes:
    """An .xlsx of about `target_compressed_bytes` whose first sheet inflates about 1,000 times."""
    template = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["sku", "name_zh", "unit"])
    workbook.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, source.read(member))
                continue
            with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                chunk = ROW * 20_000
                while out.tell() < target_compressed_bytes:
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
