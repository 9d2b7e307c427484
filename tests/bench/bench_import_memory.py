"""Benchmark: the importer's peak memory and time on an xlsx zip bomb (0.43 MB) and on a legitimate 50,000-row
workbook, against a baseline in the same run: the same legitimate file loaded whole by openpyxl (not
read-only), the way a naive importer reads it.

Each case runs in a child process of its own, so its peak resident memory (ru_maxrss) is its alone.

    .venv/bin/python tests/bench/bench_import_memory.py

Writes tests/bench/results/import_memory.json. Not a pass/fail test.
"""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")
RESULTS = REPO / "tests" / "bench" / "results" / "import_memory.json"
ROWS = 50_000


def legitimate_workbook(path: Path) -> None:
    from tests.reliability.bombs import workbook_bytes

    rows: list[list[object]] = [["sku", "name_zh", "name_en", "unit", "category", "pack_size", "moq", "shelf_life_days"]]
    rows += [[f"SKU-{n:06d}", f"商品 {n}", f"Item {n}", "pcs", f"类别 {n % 40}", 12, n % 50, 30 + n % 300] for n in range(ROWS)]
    path.write_bytes(workbook_bytes(rows))


def run_case(case: str, path: Path) -> dict[str, object]:
    """In this (child) process: read the file as the case says; seconds, outcome and peak RSS."""
    import django

    django.setup()
    from core.imports.exceptions import UnreadableFile
    from core.imports.readers import read_table

    data = path.read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    outcome = ""
    if case == "baseline_openpyxl_full_load":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        outcome = f"{sum(1 for _ in sheet.iter_rows(values_only=True)) - 1} rows"
    else:
        try:
            _, rows = read_table(data, "file.xlsx")
            outcome = f"{len(rows)} rows"
        except UnreadableFile as error:
            outcome = f"refused: {error.code}"
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "file_mb": round(len(data) / 1e6, 2),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - before) / 1024, 1),
        "outcome": outcome,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2], Path(sys.argv[3]))))
        return
    from tests.reliability.bombs import zip_bomb

    work = Path(tempfile.mkdtemp(prefix="jxc-bench-import-"))
    bomb, legit = work / "bomb.xlsx", work / "legit.xlsx"
    bomb.write_bytes(zip_bomb(430_000))
    legitimate_workbook(legit)
    cases = {
        "zip_bomb_importer": bomb,
        "legitimate_50k_importer": legit,
        "baseline_openpyxl_full_load": legit,
    }
    results = {}
    for case, path in cases.items():
        done = subprocess.run(
            [sys.executable, __file__, "--case", case, str(path)], capture_output=True, text=True, check=True, timeout=900
        )
        results[case] = json.loads(done.stdout.strip().splitlines()[-1])
        print(case, results[case])
    for path in (bomb, legit):
        path.unlink()
    work.rmdir()
    report = {
        "benchmark": "import_memory",
        "rows": ROWS,
        "results": results,
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
