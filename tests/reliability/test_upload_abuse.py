"""Hostile uploads are refused fast and cheaply, before any cell is read; bad cells are reported by row and column."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from core.imports.exceptions import UnreadableFile
from core.imports.models import ImportStatus
from core.imports.readers import MAX_COLUMNS, MAX_ROWS, read_table
from core.imports.services import import_file
from tests.reliability.bombs import workbook_bytes, zip_bomb


def _refusal(data: bytes, filename: str) -> tuple[UnreadableFile, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnreadableFile) as caught:
            read_table(data, filename)
        return caught.value, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_of_0_43_mb_is_refused_in_well_under_a_second_with_bounded_memory():
    bomb = zip_bomb(430_000)
    error, seconds, peak = _refusal(bomb, "items.xlsx")
    print(f"\nzip bomb {len(bomb) / 1e6:.2f} MB: refused in {seconds * 1000:.0f} ms, peak {peak / 1e6:.1f} MB ({error.code})")
    assert error.code == "ARCHIVE_TOO_LARGE"
    assert seconds < 0.5
    assert peak < 5e6


def test_a_small_bomb_under_the_size_limit_is_refused_by_its_compression_ratio():
    bomb = zip_bomb(60_000)
    error, seconds, _ = _refusal(bomb, "items.xlsx")
    print(f"\nratio bomb {len(bomb) / 1e3:.0f} KB refused in {seconds * 1000:.0f} ms: {error}")
    assert error.code == "ARCHIVE_TOO_LARGE"
    assert "xl/worksheets/sheet1.xml" in str(error)  # the part named, in the reader's language


def test_rows_over_the_limit_stop_the_read_at_the_first_row_too_many():
    data = ("sku,name_zh,unit\n" + "A,甲,pcs\n" * (MAX_ROWS + 1)).encode()
    error, seconds, _ = _refusal(data, "items.csv")
    print(f"\n{MAX_ROWS + 1} rows refused in {seconds:.2f} s")
    assert error.code == "FILE_TOO_LARGE"


def test_too_many_columns_are_refused():
    data = workbook_bytes([["sku", "name_zh", "unit"], ["A", "甲", *(["x"] * MAX_COLUMNS)]])
    error, _, _ = _refusal(data, "items.xlsx")
    assert error.code == "TOO_MANY_COLUMNS"
    assert "Row 2" in str(error) or "第 2 行" in str(error)


def test_a_file_over_its_time_budget_is_refused(settings):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0
    error, _, _ = _refusal(("sku,name_zh,unit\n" + "A,甲,pcs\n" * 10).encode(), "items.csv")
    assert error.code == "TIME_BUDGET_EXCEEDED"


def test_shift_jis_is_refused_with_a_clear_message_and_gb18030_still_reads():
    japanese = "商品コード,名前,単位\nA-1,りんごジュース,本\nA-2,緑茶ペットボトル,本\n".encode("shift_jis")
    error, _, _ = _refusal(japanese, "items.csv")
    assert error.code == "BAD_ENCODING"
    assert "UTF-8" in str(error)
    header, rows = read_table("编码,名称,单位\nTEA-1,绿茶,盒\nTEA-2,红茶礼盒装,盒\n".encode("gb18030"), "商品.csv")
    assert header == ["编码", "名称", "单位"] and rows[1].cells["名称"] == "红茶礼盒装"


def test_bad_cells_are_reported_with_row_and_column(in_alpha):
    data = (
        "sku,name_zh,unit,shelf_life_days,pack_size\n"
        "OK-1,好,pcs,30,1\n"
        "NUL-1,坏\x00名,pcs,30,1\n"
        "BIG-1,大,pcs,2147483647,1\n"
        "NAN-1,非数,pcs,30,NaN\n"
        "HUGE-1,巨,pcs,30,1e30\n"
    ).encode()
    job = import_file("items", data, "items.csv", actor="owner")
    problems = {(e["row"], e["column"]) for e in job.errors}
    print(f"\nbad cells: {job.errors}")
    assert job.status == ImportStatus.REJECTED
    assert {(3, "name_zh"), (4, "shelf_life_days"), (5, "pack_size"), (6, "pack_size")} <= problems
    assert not any(row == 2 for row, _ in problems)
