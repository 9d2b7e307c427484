"""Parallel processes against one committed tenant: no lost update, no oversell, no deadlock, one posting per key."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.inventory import selectors
from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.models import Posting, StockMove
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tests.inventory import workers

PROCESSES = 8


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgresql://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def test_cloned_tenants_carry_the_append_only_trigger(in_alpha):
    # pytest-django creates the test database only for sessions with a `db` test; this one (first in the
    # file) also makes the multi-process tests below runnable on their own.
    # when
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND t.tgname = 'inventory_stockmove_append_only'",
            [in_alpha.schema],
        )
        # then
        assert cursor.fetchone()[0] == 1


@pytest.fixture(scope="module")
def pool(django_db_setup, django_db_blocker) -> Iterator[multiprocessing.pool.Pool]:
    with django_db_blocker.unblock():
        url = _database_url()
    assert connection.settings_dict["NAME"].startswith("test_"), "the worker processes must use the test database"
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES, initializer=workers.init_process, initargs=(url,)) as process_pool:
        process_pool.map(time.sleep, [0] * PROCESSES)  # wait until every process has set Django up
        yield process_pool


def _soon() -> float:
    return time.time() + 0.5


@pytest.mark.slow
def test_parallel_single_unit_issues_never_oversell(committed_tenant, pool):
    # given 1000 on hand and 8 processes × 200 attempts to take one unit
    with schema_context(committed_tenant.schema):
        item, shelf = make_item(), make_stock_location()
        receive(item, shelf, "1000")
        customer = get_virtual_location(LocationKind.CUSTOMER)
    # when
    start = _soon()
    results = pool.starmap(workers.decrement, [(committed_tenant.schema, item.pk, shelf.pk, customer.pk, 200, start)] * PROCESSES)
    # then exactly 1000 succeed, 600 are refused cleanly, and nothing else goes wrong
    successes = sum(r["ok"] for r in results)
    assert [e for r in results for e in r["errors"]] == []
    assert successes == 1000
    assert sum(r["refused"] for r in results) == 600
    with schema_context(committed_tenant.schema):
        assert selectors.on_hand(item.pk, shelf.pk) == Decimal(1000 - successes) == Decimal("0")
        assert StockMove.objects.filter(item_id=item.pk, from_location_id=shelf.pk).count() == successes


@pytest.mark.slow
def test_two_concurrent_reservations_cannot_both_take_the_same_stock(committed_tenant, pool):
    # given 10 on hand
    with schema_context(committed_tenant.schema):
        item, shelf = make_item(), make_stock_location()
        receive(item, shelf, "10")
    # when two orders each reserve 8 at once
    start = _soon()
    outcomes = pool.starmap(
        workers.reserve, [(committed_tenant.schema, item.pk, shelf.pk, "8", f"so:{n}", start) for n in range(2)]
    )
    # then exactly one wins
    assert sorted(outcomes) == ["ok", "refused"]
    with schema_context(committed_tenant.schema):
        assert selectors.available(item.pk, shelf.pk) == Decimal("2")


@pytest.mark.slow
def test_the_same_key_from_eight_processes_posts_once(committed_tenant, pool):
    # given
    with schema_context(committed_tenant.schema):
        item, shelf = make_item(), make_stock_location()
        supplier = get_virtual_location(LocationKind.SUPPLIER)
    # when
    start = _soon()
    answers = pool.starmap(
        workers.post_same_key,
        [(committed_tenant.schema, item.pk, supplier.pk, shelf.pk, "po:7:receipt:1", start)] * PROCESSES,
    )
    # then every process gets the one posting, and its moves exist once
    assert len(set(answers)) == 1 and isinstance(answers[0], int)
    with schema_context(committed_tenant.schema):
        assert Posting.objects.filter(idempotency_key="po:7:receipt:1").count() == 1
        assert StockMove.objects.filter(posting_id=answers[0]).count() == 1
        assert selectors.on_hand(item.pk, shelf.pk) == Decimal("5")


@pytest.mark.slow
def test_multi_line_postings_in_opposite_orders_do_not_deadlock(committed_tenant, pool):
    # given two items stocked at two shelves
    with schema_context(committed_tenant.schema):
        a, b = make_item(), make_item()
        x, y = make_stock_location(), make_stock_location()
        customer = get_virtual_location(LocationKind.CUSTOMER)
        for item in (a, b):
            for shelf in (x, y):
                receive(item, shelf, "1000")
    forward = [(a.pk, x.pk, y.pk, "1"), (b.pk, y.pk, x.pk, "1"), (a.pk, y.pk, customer.pk, "1")]
    backward = [(b.pk, y.pk, customer.pk, "1"), (b.pk, x.pk, y.pk, "1"), (a.pk, y.pk, x.pk, "1")]
    # when half the processes post the lines in one order and half in the other
    start = _soon()
    specs = [(committed_tenant.schema, forward if n % 2 else backward, 40, start) for n in range(PROCESSES)]
    errors = pool.starmap(workers.post_mixed, specs)
    # then nobody deadlocked or failed, and the books balance
    assert [e for errs in errors for e in errs] == []
    with schema_context(committed_tenant.schema):
        total = sum(selectors.on_hand(item.pk, shelf.pk) for item in (a, b) for shelf in (x, y))
        assert total == Decimal(4000 - PROCESSES * 40)  # every posting ships one unit out of the four levels
