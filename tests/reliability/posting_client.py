"""A client that posts receipts the way an integrator does while the database fails under it: each receipt is
one posting of two lines under its own idempotency key, and a failed call is retried with the same key until
it succeeds. Run as its own process (Django on DATABASE_URL):

    python -m tests.reliability.posting_client SCHEMA ITEM_A ITEM_B LOCATION COUNT

Prints `posted N` after each success and `retry N: <error>` after each failure, flushed at once.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
    import django

    django.setup()
    from django.db import DatabaseError, InterfaceError, OperationalError, connection
    from django_tenants.utils import schema_context

    from core.inventory.services import MoveLine, post_moves
    from core.locations.models import LocationKind
    from core.locations.services import get_virtual_location

    schema, item_a, item_b, location, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    retries = 0
    for number in range(count):
        deadline = time.monotonic() + 120
        while True:
            try:
                with schema_context(schema):
                    supplier = get_virtual_location(LocationKind.SUPPLIER).pk
                    lines = [
                        MoveLine(item_a, supplier, location, Decimal("3"), unit_cost=Decimal("2.5")),
                        MoveLine(item_b, supplier, location, Decimal("5"), unit_cost=Decimal("4")),
                    ]
                    post_moves(lines, idempotency_key=f"fault:{number}", document_type="receipt", actor="fault-client")
                break
            except (OperationalError, InterfaceError, DatabaseError) as error:
                retries += 1
                print(f"retry {number}: {type(error).__name__}", flush=True)
                connection.close()  # a connection that saw the crash is useless; the next call opens a new one
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        print(f"posted {number}", flush=True)
    print(f"done {count} retries {retries}", flush=True)


if __name__ == "__main__":
    main()
