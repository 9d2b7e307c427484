"""PostgreSQL crashes and restarts while a client posts receipts: no document is left half-written, and the
client's retries (same idempotency keys) each land exactly once. Runs on a pgserver of its own, never on the
shared server."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location
from tests.reliability.support import (
    copy_database,
    crash_embedded,
    database_url_of_tests,
    start_embedded,
    stop_embedded,
    wait_until,
)

pytestmark = pytest.mark.slow
RECEIPTS = 40


def test_a_database_crash_mid_posting_leaves_no_partial_document_and_the_retries_succeed(committed_tenant, tmp_path):
    schema = committed_tenant.schema
    with schema_context(schema):
        item_a, item_b, shelf = make_item(), make_item(), make_stock_location()
    pgdata = tmp_path / "pg"
    url = start_embedded(pgdata, "jxc_fault")
    client = None
    try:
        messages = copy_database(database_url_of_tests(), url, ["public", schema], tmp_path / "dump")
        with psycopg.connect(url) as db:
            restored = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()[0]
        assert restored > 50, messages[:2500]
        log_path = tmp_path / "client.log"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "core.settings.test", "SENTRY_DSN": ""}
        command = [sys.executable, "-m", "tests.reliability.posting_client", schema]
        command += [str(item_a.pk), str(item_b.pk), str(shelf.pk), str(RECEIPTS)]
        with log_path.open("wb") as log:
            client = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)

        def posted() -> int:
            return log_path.read_text().count("posted ")

        wait_until(lambda: posted() >= 10 or client.poll() is not None, 180, "the client posts its first receipts")
        assert client.poll() is None, log_path.read_text()
        crashed_at_posted = posted()
        crash_embedded(pgdata)
        crashed = time.monotonic()
        time.sleep(2)  # an outage the client sees, not just a blip
        start_embedded(pgdata, "jxc_fault")
        outage = time.monotonic() - crashed
        assert client.wait(timeout=300) == 0, log_path.read_text()[-3000:]
        output = log_path.read_text()
        retries = output.count("retry ")
    finally:
        if client is not None and client.poll() is None:
            client.kill()

    try:
        with psycopg.connect(url) as db:
            db.execute(f'SET search_path TO "{schema}", public')
            postings = db.execute("SELECT count(*) FROM inventory_posting WHERE idempotency_key LIKE 'fault:%%'").fetchone()[0]
            partial = db.execute(
                """SELECT count(*) FROM (
                       SELECT p.id FROM inventory_posting p LEFT JOIN inventory_stockmove m ON m.posting_id = p.id
                       WHERE p.idempotency_key LIKE 'fault:%%' GROUP BY p.id HAVING count(m.id) <> 2) AS broken"""
            ).fetchone()[0]
            levels = dict(
                db.execute(
                    "SELECT item_id, on_hand FROM inventory_stocklevel WHERE location_id = %s AND lot_id IS NULL", (shelf.pk,)
                ).fetchall()
            )
    finally:
        stop_embedded(pgdata)
    print(
        f"\ncrash after {crashed_at_posted} receipts, {outage:.1f} s outage: {retries} client retries, "
        f"{postings}/{RECEIPTS} postings, {partial} partial, on hand {levels.get(item_a.pk)} / {levels.get(item_b.pk)}"
    )
    assert retries >= 1, "the crash must have been seen by the client"
    assert postings == RECEIPTS and partial == 0
    assert levels == {item_a.pk: 3 * RECEIPTS, item_b.pk: 5 * RECEIPTS}
