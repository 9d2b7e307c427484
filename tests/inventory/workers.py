"""Code run in separate processes (spawned, each with its own Django and database connection)."""

from __future__ import annotations

import os
import time
import uuid
from decimal import Decimal


def init_process(database_url: str) -> None:
    """Pool initializer: point Django at the test database and set it up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
    os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")
    import django

    django.setup()


def _enter(schema: str) -> None:
    from django.db import connection

    from tenants.models import Tenant

    connection.set_tenant(Tenant.objects.get(schema_name=schema))


def _wait(start_at: float) -> None:
    # All processes start their loops at the same instant, so they really contend.
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)


def decrement(schema: str, item_id: int, location_id: int, customer_id: int, attempts: int, start_at: float) -> dict:
    """Issue one unit `attempts` times; count successes, clean refusals and anything else."""
    from core.inventory.exceptions import InsufficientStock
    from core.inventory.services import MoveLine, post_moves

    _enter(schema)
    _wait(start_at)
    ok, refused, errors = 0, 0, []
    for _ in range(attempts):
        try:
            post_moves([MoveLine(item_id, location_id, customer_id, Decimal("1"))], idempotency_key=f"dec:{uuid.uuid4().hex}")
            ok += 1
        except InsufficientStock:
            refused += 1
        except Exception as error:  # noqa: BLE001 - the test asserts there are none
            errors.append(repr(error))
    return {"ok": ok, "refused": refused, "errors": errors}


def reserve(schema: str, item_id: int, location_id: int, quantity: str, reference: str, start_at: float) -> str:
    from core.inventory.exceptions import InsufficientStock
    from core.inventory.services import reserve_stock

    _enter(schema)
    _wait(start_at)
    try:
        reserve_stock(item_id, location_id, Decimal(quantity), reference=reference)
        return "ok"
    except InsufficientStock:
        return "refused"
    except Exception as error:  # noqa: BLE001
        return repr(error)


def post_same_key(schema: str, item_id: int, from_id: int, to_id: int, key: str, start_at: float) -> int | str:
    from core.inventory.services import MoveLine, post_moves

    _enter(schema)
    _wait(start_at)
    try:
        return post_moves([MoveLine(item_id, from_id, to_id, Decimal("5"), unit_cost=Decimal("2"))], idempotency_key=key).pk
    except Exception as error:  # noqa: BLE001
        return repr(error)


def post_mixed(schema: str, lines_spec: list[tuple[int, int, int, str]], rounds: int, start_at: float) -> list[str]:
    """Post the same multi-line posting `rounds` times; return every error that is not a clean refusal."""
    from core.inventory.exceptions import InsufficientStock
    from core.inventory.services import MoveLine, post_moves

    _enter(schema)
    _wait(start_at)
    errors = []
    for _ in range(rounds):
        lines = [MoveLine(item, source, target, Decimal(quantity)) for item, source, target, quantity in lines_spec]
        try:
            post_moves(lines, idempotency_key=f"mix:{uuid.uuid4().hex}")
        except InsufficientStock:
            pass
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
    return errors
