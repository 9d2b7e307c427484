"""Cold chain: sensors, all-or-nothing idempotent ingest of readings, excursions, pages, isolation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inventory.factories import make_stock_location
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from tenants.accounts.roles import Role
from tests.platform.graphql_support import client_as
from verticals.food import selectors, services
from verticals.food.exceptions import FoodErrorCode, ReadingsRejected
from verticals.food.models import ColdChainReading, ColdChainSensor
from verticals.food.services import ReadingInput

from .support import data, gql

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=SHANGHAI)

RECORD = """
mutation($readings: [ColdChainReadingInput!]!) {
  recordColdChainReadings(readings: $readings) { stored alreadyStored outOfRange errors { field message code } }
}
"""
CREATE_SENSOR = """
mutation($code: String!, $location: ID!, $min: Decimal!, $max: Decimal!) {
  createColdChainSensor(code: $code, locationId: $location, minC: $min, maxC: $max, name: "冷藏库 1") {
    sensor { code minC maxC location { code } }
    errors { field code }
  }
}
"""


def make_sensor(info, min_c: str = "0", max_c: str = "4") -> ColdChainSensor:
    with schema_context(info.schema):
        location = make_stock_location()
        return services.create_sensor(
            code=f"LOG-{uuid.uuid4().hex[:6]}", location_id=location.pk, min_c=Decimal(min_c), max_c=Decimal(max_c)
        )


def row(sensor: ColdChainSensor, minutes: int, temperature: str, start: datetime = T0) -> dict[str, str]:
    return {
        "sensorCode": sensor.code,
        "recordedAt": (start + timedelta(minutes=minutes)).isoformat(),
        "temperatureC": temperature,
    }


def stored_count(info, sensor: ColdChainSensor) -> int:
    with schema_context(info.schema):
        return ColdChainReading.objects.filter(sensor=sensor).count()


def test_register_a_sensor(alpha):
    # given
    client = alpha.client()
    with schema_context(alpha.schema):
        location = make_stock_location()
    # when
    body = data(client, CREATE_SENSOR, code="LOG-COLD-1", location=str(location.pk), min="0", max="4")
    # then
    assert body["createColdChainSensor"] == {
        "sensor": {"code": "LOG-COLD-1", "minC": "0.00", "maxC": "4.00", "location": {"code": location.code}},
        "errors": [],
    }


@pytest.mark.parametrize(
    ("code", "location", "low", "high", "error"),
    [
        ("LOG-DUP", "ok", "0", "4", {"field": "code", "code": "DUPLICATE_CODE"}),
        ("LOG-NEW", "999999", "0", "4", {"field": "locationId", "code": "UNKNOWN_LOCATION"}),
        ("LOG-NEW", "supplier", "0", "4", {"field": "locationId", "code": "INVALID_LOCATION"}),
        ("LOG-NEW", "ok", "4", "4", {"field": "maxC", "code": "INVALID_RANGE"}),
        ("LOG-NEW", "ok", "-200", "4", {"field": "maxC", "code": "INVALID_RANGE"}),
    ],
)
def test_bad_sensor_is_refused_and_nothing_is_written(alpha, code, location, low, high, error):
    # given a sensor LOG-DUP already registered
    client = alpha.client()
    with schema_context(alpha.schema):
        shelf = make_stock_location()
        services.create_sensor(code="LOG-DUP", location_id=shelf.pk, min_c=Decimal("0"), max_c=Decimal("4"))
        location_id = {"ok": str(shelf.pk), "supplier": str(get_virtual_location(LocationKind.SUPPLIER).pk)}.get(
            location, location
        )
    # when
    body = data(client, CREATE_SENSOR, code=code, location=location_id, min=low, max=high)
    # then
    assert body["createColdChainSensor"] == {"sensor": None, "errors": [error]}
    with schema_context(alpha.schema):
        assert ColdChainSensor.objects.count() == 1


def test_a_clerk_records_readings_and_out_of_range_ones_are_flagged(alpha):
    # given
    sensor = make_sensor(alpha)
    clerk = client_as(alpha, Role.CLERK)
    # when
    body = data(clerk, RECORD, readings=[row(sensor, 0, "3.2"), row(sensor, 5, "6.1"), row(sensor, 10, "-0.5")])
    # then
    assert body["recordColdChainReadings"] == {"stored": 3, "alreadyStored": 0, "outOfRange": 2, "errors": []}
    with schema_context(alpha.schema):
        flags = list(
            ColdChainReading.objects.filter(sensor=sensor).order_by("recorded_at").values_list("out_of_range", flat=True)
        )
    assert flags == [False, True, True]


def test_a_batch_with_bad_rows_reports_each_and_stores_nothing(alpha):
    # given
    client = alpha.client()
    sensor = make_sensor(alpha)
    future = (datetime.now(SHANGHAI) + timedelta(days=1)).isoformat()
    batch = [
        row(sensor, 0, "3.0"),
        row(sensor, 1, "-300"),  # below absolute zero
        {"sensorCode": "NO-SUCH-LOGGER", "recordedAt": T0.isoformat(), "temperatureC": "3"},
        row(sensor, 2, "150"),
        {"sensorCode": sensor.code, "recordedAt": future, "temperatureC": "3"},
        row(sensor, 0, "3.5"),  # the same time as row 0 with another temperature
    ]
    # when
    body = gql(client, RECORD, readings=batch)
    # then
    result = body["data"]["recordColdChainReadings"]
    assert result["stored"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("readings.1.temperatureC", "INVALID_TEMPERATURE"),
        ("readings.2.sensorCode", "UNKNOWN_SENSOR"),
        ("readings.3.temperatureC", "INVALID_TEMPERATURE"),
        ("readings.4.recordedAt", "INVALID_TIME"),
        ("readings.5.temperatureC", "CONFLICTING_READING"),
    ]
    assert stored_count(alpha, sensor) == 0
    # a value that is no number at all (NaN, "abc") is refused at the API's edge with a typed error naming the
    # row's field, and nothing is stored either
    for bad in ("NaN", "abc"):
        refused = gql(client, RECORD, readings=[row(sensor, 0, "3.0"), row(sensor, 1, bad)])
        assert refused.get("data") in (None, {"recordColdChainReadings": None})
        error = refused["errors"][0]
        assert "temperatureC" in error["message"] or error.get("extensions", {}).get("field") == "readings.1.temperatureC"
    assert stored_count(alpha, sensor) == 0


def test_re_sending_the_same_readings_stores_nothing_twice(alpha):
    # given a logger export already ingested
    client = alpha.client()
    sensor = make_sensor(alpha)
    export = [row(sensor, minute, "2.5") for minute in range(0, 60, 5)]
    first = data(client, RECORD, readings=export)["recordColdChainReadings"]
    # when the same export comes again, plus one new reading
    again = data(client, RECORD, readings=[*export, row(sensor, 60, "2.6")])["recordColdChainReadings"]
    # then
    assert (first["stored"], first["alreadyStored"]) == (12, 0)
    assert (again["stored"], again["alreadyStored"], again["errors"]) == (1, 12, [])
    assert stored_count(alpha, sensor) == 13


def test_a_different_temperature_for_a_stored_time_is_refused(in_alpha):
    # given
    sensor = make_sensor(in_alpha)
    services.record_readings([ReadingInput(sensor.code, T0, "3.00")])
    # when
    with pytest.raises(ReadingsRejected) as refused:
        services.record_readings(
            [ReadingInput(sensor.code, T0 + timedelta(minutes=1), "3.1"), ReadingInput(sensor.code, T0, "9")]
        )
    # then
    assert [(bad.row, bad.code) for bad in refused.value.bad_rows] == [(1, FoodErrorCode.CONFLICTING_READING)]
    assert ColdChainReading.objects.filter(sensor=sensor).count() == 1


def test_naive_times_mean_the_company_time_zone(in_alpha):
    # given
    sensor = make_sensor(in_alpha)
    # when
    services.record_readings([ReadingInput(sensor.code, datetime(2026, 1, 5, 8, 0), "3")])
    # then
    assert ColdChainReading.objects.get(sensor=sensor).recorded_at == T0


def test_excursions_are_runs_of_out_of_range_readings(in_alpha):
    # given in, out, out, in, out, out (0–4 °C; one reading every 10 minutes)
    sensor = make_sensor(in_alpha)
    temperatures = ["3", "5.5", "7", "2", "-1", "-2.5"]
    services.record_readings([ReadingInput(sensor.code, T0 + timedelta(minutes=10 * i), t) for i, t in enumerate(temperatures)])
    # when
    found = selectors.excursions(since=T0 - timedelta(days=1), sensor_id=sensor.pk)
    still_open = selectors.open_excursions([sensor.pk])
    # then: newest first; the first closed by the reading at +30 min, the second still open
    assert [(e.started_at, e.ended_at, e.reading_count, e.lowest_c, e.highest_c) for e in found] == [
        (T0 + timedelta(minutes=40), None, 2, Decimal("-2.50"), Decimal("-1.00")),
        (T0 + timedelta(minutes=10), T0 + timedelta(minutes=30), 2, Decimal("5.50"), Decimal("7.00")),
    ]
    assert found[1].duration(T0 + timedelta(days=1)) == timedelta(minutes=20)
    assert [(e.sensor_id, e.started_at) for e in still_open] == [(sensor.pk, T0 + timedelta(minutes=40))]
    assert still_open[0].duration(T0 + timedelta(hours=2)) == timedelta(minutes=80)


def test_a_late_in_range_reading_splits_an_excursion(in_alpha):
    # given an excursion from +10 to +30 min, then a logger that was offline sends +20 min: in range
    sensor = make_sensor(in_alpha)
    services.record_readings(
        [ReadingInput(sensor.code, T0 + timedelta(minutes=m), t) for m, t in [(0, "2"), (10, "6"), (30, "6"), (40, "2")]]
    )
    # when
    services.record_readings([ReadingInput(sensor.code, T0 + timedelta(minutes=20), "3")])
    # then
    found = selectors.excursions(since=T0 - timedelta(hours=1), sensor_id=sensor.pk)
    assert [(e.started_at, e.ended_at) for e in found] == [
        (T0 + timedelta(minutes=30), T0 + timedelta(minutes=40)),
        (T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)),
    ]
    assert selectors.open_excursions([sensor.pk]) == []


def test_excursions_over_graphql(alpha):
    # given one closed and one open excursion on one sensor, and a sensor in range
    client = alpha.client()
    sensor, calm = make_sensor(alpha), make_sensor(alpha)
    data(client, RECORD, readings=[row(sensor, 0, "5"), row(sensor, 10, "2"), row(sensor, 20, "9"), row(calm, 0, "1")])
    query = """query($id: ID) {
      all: coldChainExcursions(sensorId: $id, since: "2026-01-01T00:00:00+08:00") { startedAt endedAt open readingCount }
      open: coldChainExcursions(openOnly: true) { sensor { code } highestC durationSeconds }
    }"""
    # when
    body = data(client, query, id=str(sensor.pk))
    # then
    assert [(e["open"], e["readingCount"]) for e in body["all"]] == [(True, 1), (False, 1)]
    assert body["open"][0]["sensor"]["code"] == sensor.code and body["open"][0]["highestC"] == "9.00"
    assert body["open"][0]["durationSeconds"] > 0
    assert len(body["open"]) == 1


def test_sensor_page_costs_the_same_queries_for_one_or_many_sensors(alpha):
    # given ten sensors with readings, one of them out of range
    client = alpha.client()
    sensors = [make_sensor(alpha) for _ in range(10)]
    data(client, RECORD, readings=[row(s, 0, "9" if i == 0 else "2") for i, s in enumerate(sensors)])
    query = """query($first: Int!) { coldChainSensors(first: $first) { edges { node {
      code location { code } latestReading { temperatureC } openExcursion { startedAt } } } } }"""
    data(client, query, first=1)  # warm the entitlement cache
    # when
    with CaptureQueriesContext(connection) as one:
        small = data(client, query, first=1)
    with CaptureQueriesContext(connection) as ten:
        large = data(client, query, first=10)
    # then
    assert len(small["coldChainSensors"]["edges"]) == 1 and len(large["coldChainSensors"]["edges"]) == 10
    assert sum(1 for edge in large["coldChainSensors"]["edges"] if edge["node"]["openExcursion"]) == 1
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_cold_chain_page_lists_sensors_latest_reading_and_open_excursions(alpha):
    # given
    client = alpha.client()
    warm, cold = make_sensor(alpha), make_sensor(alpha)
    hour_ago = datetime.now(SHANGHAI) - timedelta(hours=1)
    readings = [row(warm, 0, "2", hour_ago), row(warm, 10, "8.4", hour_ago), row(cold, 0, "1.7", hour_ago)]
    data(client, RECORD, readings=readings)
    # when
    page = client.get("/food/cold-chain/").content.decode()
    detail = client.get(f"/food/cold-chain/sensors/{warm.pk}/").content.decode()
    # then
    assert warm.code in page and cold.code in page
    assert "8.40 °C" in page and "1.70 °C" in page
    assert "温度超标" in page  # the open excursions card, in the default language
    assert "8.40" in detail and "仍超出范围" in detail


def test_sensor_form_registers_a_sensor(alpha):
    # given
    client = alpha.client()
    with schema_context(alpha.schema):
        shelf = make_stock_location()
    # when
    response = client.post(
        "/food/cold-chain/sensors/new/", {"code": "LOG-FORM", "location": shelf.pk, "min_c": "-25", "max_c": "-18"}
    )
    duplicate = client.post(
        "/food/cold-chain/sensors/new/", {"code": "LOG-FORM", "location": shelf.pk, "min_c": "-25", "max_c": "-18"}
    )
    # then
    with schema_context(alpha.schema):
        sensor = ColdChainSensor.objects.get(code="LOG-FORM")
    assert response.status_code == 302 and response["Location"] == f"/food/cold-chain/sensors/{sensor.pk}/"
    assert duplicate.status_code == 200 and "DUPLICATE_CODE" in duplicate.content.decode()


def test_another_tenant_cannot_read_a_sensor_by_id(alpha, beta, module_status):
    # given alpha's sensor with a reading, and beta with food enabled too
    sensor = make_sensor(alpha)
    data(alpha.client(), RECORD, readings=[row(sensor, 0, "3")])
    module_status(beta, "food", "active")
    client = beta.client()
    query = """query($id: ID!) { coldChainSensor(id: $id) { code }
      coldChainReadings(sensorId: $id, first: 5) { totalCount } }"""
    # when
    body = data(client, query, id=str(sensor.pk))
    # then
    assert body == {"coldChainSensor": None, "coldChainReadings": {"totalCount": 0}}
    assert client.get(f"/food/cold-chain/sensors/{sensor.pk}/").status_code == 404


def test_demo_data_shows_an_open_excursion_on_the_cold_room(in_alpha):
    # given the core demo's main warehouse
    from core.locations.services import create_warehouse
    from verticals.food.demo import DAY, build_food_demo

    create_warehouse("WH-SH", "上海总仓")
    # when run twice
    build_food_demo()
    build_food_demo()
    # then
    assert ColdChainReading.objects.count() == 2 * DAY
    [alarm] = selectors.open_excursions()
    assert ColdChainSensor.objects.get(pk=alarm.sensor_id).code == "COLD-1" and alarm.reading_count == 4


def test_uploading_a_logger_export_stores_it_once(alpha):
    # given a logger's CSV export (with a BOM, as spreadsheets save it)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = alpha.client()
    sensor = make_sensor(alpha)
    csv_text = "\ufeffsensor_code,recorded_at,temperature_c\n" + "".join(
        f"{sensor.code},2026-01-05 08:{minute:02d}:00,{'5.2' if minute == 10 else '2.1'}\n" for minute in range(0, 30, 5)
    )

    def upload(text: str) -> str:
        file = SimpleUploadedFile("log.csv", text.encode())
        response = client.post("/food/cold-chain/readings/upload/", {"export": file}, follow=True)
        assert response.redirect_chain == [("/food/cold-chain/", 302)]
        return response.content.decode()

    # when
    first, second = upload(csv_text), upload(csv_text)
    # then: the page says what happened, in the default language
    assert "已保存 6 条读数（0 条此前已保存）；其中 1 条超出范围。" in first
    assert "已保存 0 条读数（6 条此前已保存）；其中 0 条超出范围。" in second
    assert stored_count(alpha, sensor) == 6


def test_an_export_with_bad_lines_lists_them_and_stores_nothing(alpha):
    # given
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = alpha.client()
    sensor = make_sensor(alpha)
    text = (
        "sensor_code,recorded_at,temperature_c\n"
        f"{sensor.code},2026-01-05 08:00:00,2.0\n"
        f"{sensor.code},yesterday,2.0\n"
        f"{sensor.code},2026-01-05 08:10:00,hot\n"
    )
    # when
    response = client.post("/food/cold-chain/readings/upload/", {"export": SimpleUploadedFile("log.csv", text.encode())})
    wrong_columns = client.post("/food/cold-chain/readings/upload/", {"export": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    # then: lines 3 and 4 of the file, by their column names; nothing stored
    assert response.status_code == 200
    assert response.context["bad_rows"] == [
        (3, "recorded_at", "Send the time the reading was taken.", "INVALID_TIME"),
        (4, "temperature_c", "'hot' is not a temperature between -90 and 90 °C.", "INVALID_TEMPERATURE"),
    ]
    assert "missing: sensor_code, recorded_at, temperature_c" in wrong_columns.content.decode()
    assert stored_count(alpha, sensor) == 0
