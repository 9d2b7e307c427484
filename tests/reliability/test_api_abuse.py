"""The abuse list against the API: bad scalars, slow and oversized queries, rate limits, Stripe payloads."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location, receive
from core.inventory.models import Reservation
from core.inventory.services import reserve_stock
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tests.billing.conftest import sign
from tests.platform.graphql_support import api_key, gql, key_client


def _errors(response) -> list[dict]:
    body = response.json()
    return body.get("errors") or [e for value in (body.get("data") or {}).values() if value for e in value.get("errors", [])]


ADJUST = """mutation($item: ID!, $location: ID!, $quantity: Decimal!) {
  adjustStock(itemId: $item, locationId: $location, quantity: $quantity) { posting { id } errors { field code } }
}"""


UPDATE_RULE = 'mutation($c: JSONString) { updateRule(id: "1", condition: $c) { errors { code } } }'
CREATE_LONG_LIVED = (
    'mutation { createItem(input: {sku: "LONG-1", nameZh: "久", shelfLifeDays: 2147483647}) { errors { field code } } }'
)


def test_bad_scalars_get_typed_errors_naming_the_field(alpha):
    client = alpha.client()
    with schema_context(alpha.schema):
        item, shelf = make_item(), make_stock_location()
    item_id, shelf_id = _gid("Item", item.pk), _gid("Location", shelf.pk)
    cases = {
        "NUL byte": ("query($s: String) { items(search: $s, first: 5) { edges { node { sku } } } }", {"s": "a\x00b"}),
        "NaN": (ADJUST, {"item": item_id, "location": shelf_id, "quantity": "NaN"}),
        "1e30": (ADJUST, {"item": item_id, "location": shelf_id, "quantity": "1e30"}),
        "negative first": ("query { items(first: -5) { edges { node { sku } } } }", {}),
        "negative offset": ("query { items(offset: -1, first: 5) { edges { node { sku } } } }", {}),
        "bad JSONString": (UPDATE_RULE, {"c": "{not json"}),
    }
    figures = {}
    for name, (query, variables) in cases.items():
        response = gql(client, query, variables)
        errors = _errors(response)
        codes = [e.get("extensions", {}).get("code") or e.get("code") for e in errors]
        figures[name] = codes
        assert response.status_code in (200, 400), (name, response.status_code)
        assert errors and "INTERNAL_ERROR" not in codes and None not in codes, (name, errors)
    print(f"\nbad scalars → codes: {figures}")
    nul = _errors(gql(client, cases["NUL byte"][0], cases["NUL byte"][1]))[0]
    assert nul["extensions"] == {"code": "INVALID_CHARACTER", "field": "search"}


def test_range_limits_and_no_virtual_to_virtual_moves(alpha):
    client = alpha.client()
    with schema_context(alpha.schema):
        item, shelf = make_item(), make_stock_location()
        supplier = get_virtual_location(LocationKind.SUPPLIER)
    target = {"item": _gid("Item", item.pk), "location": _gid("Location", shelf.pk)}
    huge = _errors(gql(client, ADJUST, {**target, "quantity": "1e14"}))
    large = _errors(gql(client, ADJUST, {**target, "quantity": "1e12"}))
    virtual = _errors(gql(client, ADJUST, {**target, "location": _gid("Location", supplier.pk), "quantity": "5"}))
    shelf_life = _errors(gql(client, CREATE_LONG_LIVED))
    print(f"\n10^14 adjustment: {huge}\nadjustment on the supplier location: {virtual}\nshelf life 2^31-1: {shelf_life}")
    assert huge[0]["extensions"] == {"code": "OUT_OF_RANGE", "field": "quantity"}
    assert large[0]["code"] == "INVALID_QUANTITY" and large[0]["field"] == "lines.0.quantity"
    assert virtual[0]["code"] == "INVALID_MOVE"
    assert shelf_life == [{"field": "shelfLifeDays", "code": "OUT_OF_RANGE"}]


def test_a_second_reservation_under_the_same_reference_is_a_no_op(in_alpha):
    item, shelf = make_item(), make_stock_location()
    receive(item, shelf, "10")
    first = reserve_stock(item.pk, shelf.pk, Decimal("4"), reference="so:retry")
    again = reserve_stock(item.pk, shelf.pk, Decimal("4"), reference="so:retry")
    held = sum(r.quantity for r in Reservation.objects.filter(reference="so:retry"))
    assert [r.pk for r in again] == [r.pk for r in first]
    assert held == Decimal("4")


def test_an_oversized_query_is_refused_by_the_pre_pass_before_validation(alpha):
    client = alpha.client()
    fields = " ".join(f"a{i}: sku" for i in range(5000))
    document = "query { items(first: 1) { edges { node { " + fields + " } } } }"
    started = time.perf_counter()
    response = gql(client, document)
    seconds = time.perf_counter() - started
    print(f"\n{len(document) / 1000:.0f} KB query with 5,000 aliased fields refused in {seconds * 1000:.0f} ms")
    assert response.json()["errors"][0]["extensions"]["code"] in ("QUERY_TOO_LARGE", "QUERY_TOO_COMPLEX")
    assert seconds < 1.0


def test_a_query_that_passes_the_pre_pass_still_validates_on_a_clock(alpha, settings):
    settings.GRAPHQL_VALIDATION_SECONDS = 0.0
    response = gql(alpha.client(), "query { items(first: 1) { edges { node { sku } } } }")
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_a_slow_statement_is_cancelled_and_the_connection_gets_its_timeout_back(committed):
    from django.db import OperationalError, connection

    from core.graphql.view import _statement_timeout

    started = time.perf_counter()
    with pytest.raises(OperationalError), _statement_timeout(100), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    print(f"\npg_sleep(5) under a 100 ms statement_timeout cancelled after {time.perf_counter() - started:.2f} s")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "100ms"


def test_a_request_over_its_statement_timeout_gets_query_timeout(tenants_setup, committed, settings):
    import psycopg
    from django.db import connection

    settings.GRAPHQL_STATEMENT_TIMEOUT_MS = 300
    alpha = tenants_setup["alpha"]
    client = alpha.client()
    db = connection.settings_dict
    # Another session holds the items table: the request's read waits, as behind a long migration or report.
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]) as other:
        other.execute(f'LOCK TABLE "{alpha.schema}".catalog_item IN ACCESS EXCLUSIVE MODE')
        started = time.perf_counter()
        response = gql(client, "query { items(first: 100) { edges { node { sku nameZh } } } }")
        seconds = time.perf_counter() - started
        other.rollback()
    codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
    print(f"\nitems behind a lock under a 300 ms statement_timeout: {codes} after {seconds:.2f} s")
    assert codes == {"QUERY_TIMEOUT"}
    assert seconds < 5


def test_a_key_over_its_rate_gets_429_with_retry_after_and_other_tenants_are_untouched(alpha, beta, settings):
    settings.GRAPHQL_RATE_PER_KEY = "5/minute"
    settings.GRAPHQL_RATE_PER_TENANT = "1000/minute"
    _, alpha_key = api_key(alpha)
    _, beta_key = api_key(beta)
    query = "query { items(first: 1) { edges { node { sku } } } }"
    statuses = [gql(key_client(alpha, alpha_key), query).status_code for _ in range(8)]
    refused = gql(key_client(alpha, alpha_key), query)
    print(f"\n8 requests at 5/minute: {statuses}; Retry-After {refused['Retry-After']} s")
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert gql(key_client(beta, beta_key), query).status_code == 200


@pytest.fixture
def stripe_secret(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_reliability"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_jxc_harness"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing here may reach Stripe
    return settings


def _deliver(payload: bytes, signature: str):
    from django.conf import settings

    return Client(HTTP_HOST=settings.BASE_DOMAIN).post(
        "/billing/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


@pytest.mark.django_db
def test_a_signed_but_malformed_stripe_event_gets_a_400_json(stripe_secret):
    for payload in (b'{"id": "evt_1"}', b"[1, 2]", b'{"id": "evt_2", "type": "x", "data": {"object": 5}}', b"not json"):
        response = _deliver(payload, sign(payload))
        print(f"\n{payload!r}: {response.status_code} {response.content!r}")
        assert response.status_code == 400 and response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_stripe_timestamps_outside_the_tolerance_are_refused_in_both_directions(stripe_secret):
    payload = json.dumps({"id": "evt_t", "type": "customer.updated", "data": {"object": {"id": "cus_x"}}}).encode()
    tolerance = stripe_secret.STRIPE_WEBHOOK_TOLERANCE
    future = _deliver(payload, sign(payload, timestamp=int(time.time()) + tolerance + 60))
    past = _deliver(payload, sign(payload, timestamp=int(time.time()) - tolerance - 60))
    now = _deliver(payload, sign(payload))
    assert (future.status_code, past.status_code) == (400, 400)
    assert now.status_code == 200 and now.json()["outcome"] == "ignored"


def _gid(type_name: str, pk: int) -> str:
    from graphql_relay import to_global_id

    return to_global_id(type_name, pk)
