"""core/embedded.py: the PostgreSQL that `./jxc run` starts on a machine without one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg

EMBEDDED = Path(__file__).resolve().parents[2] / "core" / "embedded.py"


def _embedded(*args: str) -> str:
    return subprocess.run([sys.executable, str(EMBEDDED), *args], check=True, capture_output=True, text=True).stdout.strip()


def test_embedded_server_outlives_its_starter_and_a_second_start_finds_it(tmp_path):
    # given
    pgdata = str(tmp_path / "pg")
    try:
        first = _embedded("start", "--pgdata", pgdata, "--database", "jxc")

        # when
        second = _embedded("start", "--pgdata", pgdata, "--database", "jxc")

        # then: the starter has exited, yet the database answers on a socket in the data folder
        assert second == first
        assert first.startswith(f"postgresql://postgres@{quote(str(tmp_path / 'pg'), safe='')}/")
        with psycopg.connect(first) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == ("jxc",)
    finally:
        subprocess.run([sys.executable, str(EMBEDDED), "stop", "--pgdata", pgdata], check=True)

    # and once stopped, it no longer answers
    try:
        psycopg.connect(first, connect_timeout=3).close()
        answered = True
    except psycopg.OperationalError:
        answered = False
    assert not answered
