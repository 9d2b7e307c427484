"""Entitlement enforcement on real vertical features: alpha has food, beta has retail.

A tenant without module X gets MODULE_NOT_ENABLED from X's mutations and queries and no X pages; a
read-only module (subscription canceled) stays readable but refuses every write; an API key scoped to
one module cannot reach another's.
"""

from __future__ import annotations

from django_tenants.utils import schema_context

from core.locations.models import Store
from tenants.accounts.roles import Role
from tests.platform.graphql_support import api_key, client_as, key_client
from verticals.food.models import ColdChainReading
from verticals.retail.models import RetailStore

from .support import data, gql, nav_modules

CREATE_STORE = """
mutation($code: String!, $name: String!) {
  createRetailStore(code: $code, name: $name, openingHours: "每天 09:00–22:00") {
    retailStore { code name openingHours active stockLocation { code } }
    errors { field message code }
  }
}
"""
STORES = "{ retailStores(first: 10) { totalCount edges { node { code name active } } } }"
RECORD = """
mutation($readings: [ColdChainReadingInput!]!) {
  recordColdChainReadings(readings: $readings) { stored alreadyStored errors { field code } }
}
"""


def test_tenant_without_retail_gets_module_not_enabled_from_its_mutation_and_query(alpha):
    # given alpha, which has food but not retail
    client = alpha.client()
    # when
    created = gql(client, CREATE_STORE, code="S-ALPHA", name="不该存在的店")
    listed = gql(client, STORES)
    # then
    assert created["data"]["createRetailStore"] == {
        "retailStore": None,
        "errors": [
            {"field": None, "message": "The retail module is not enabled for this company.", "code": "MODULE_NOT_ENABLED"}
        ],
    }
    assert listed["data"] == {"retailStores": None}
    assert listed["errors"][0]["extensions"]["code"] == "MODULE_NOT_ENABLED"
    with schema_context(alpha.schema):
        assert not Store.objects.filter(code="S-ALPHA").exists()


def test_tenant_without_food_cannot_record_readings(beta):
    # given beta, which has retail but not food
    client = beta.client()
    # when
    body = gql(client, RECORD, readings=[{"sensorCode": "X", "recordedAt": "2026-01-01T08:00:00+08:00", "temperatureC": "4"}])
    # then
    assert body["data"]["recordColdChainReadings"]["errors"] == [{"field": None, "code": "MODULE_NOT_ENABLED"}]


def test_navigation_and_pages_follow_the_modules(alpha, beta):
    # given
    alpha_client, beta_client = alpha.client(), beta.client()
    # then: each tenant sees only its own module's links and pages
    assert nav_modules(alpha_client) == {"core", "food"}
    assert nav_modules(beta_client) == {"core", "retail"}
    for path in ("/retail/stores/", "/retail/stores/new/"):
        assert alpha_client.get(path).status_code == 404
        assert beta_client.get(path).status_code == 200
    assert alpha_client.get("/food/cold-chain/").status_code == 200
    assert beta_client.get("/food/cold-chain/").status_code == 404
    assert beta_client.get("/food/cold-chain/sensors/new/").status_code == 404


def test_tenant_with_retail_opens_a_store(beta):
    # given
    client = beta.client()
    # when
    created = data(client, CREATE_STORE, code="S-001", name="文三路店")["createRetailStore"]
    # then
    assert created["errors"] == []
    assert created["retailStore"] == {
        "code": "S-001",
        "name": "文三路店",
        "openingHours": "每天 09:00–22:00",
        "active": True,
        "stockLocation": {"code": "S-001/stock"},
    }
    assert data(client, STORES)["retailStores"]["edges"] == [{"node": {"code": "S-001", "name": "文三路店", "active": True}}]


def test_read_only_retail_is_readable_but_not_writable(beta, module_status):
    # given a store, then the subscription is canceled
    client = beta.client()
    data(client, CREATE_STORE, code="S-RO", name="只读店")
    module_status(beta, "retail", "read_only")
    # when
    created = data(client, CREATE_STORE, code="S-RO2", name="新店")["createRetailStore"]
    listed = data(client, STORES)["retailStores"]
    page = client.get("/retail/stores/")
    posted = client.post("/retail/stores/new/", {"code": "S-RO3", "name": "表单店"})
    # then: the write is refused with the read-only code, the data stays readable
    assert created["errors"][0]["code"] == "MODULE_READ_ONLY"
    assert [edge["node"]["code"] for edge in listed["edges"]] == ["S-RO"]
    assert page.status_code == 200
    assert "S-RO" in page.content.decode() and "/retail/stores/new/" not in page.content.decode()
    assert posted.status_code == 403
    assert nav_modules(client) == {"core", "retail"}, "a read-only module keeps its navigation"
    with schema_context(beta.schema):
        assert not Store.objects.filter(code__in=["S-RO2", "S-RO3"]).exists()


def test_read_only_food_refuses_readings_and_keeps_them_readable(alpha, module_status):
    # given a sensor with one reading, then food turns read-only
    from tests.verticals.test_food import make_sensor

    client = alpha.client()
    sensor = make_sensor(alpha)
    reading = {"sensorCode": sensor.code, "recordedAt": "2026-01-01T08:00:00+08:00", "temperatureC": "3.5"}
    assert data(client, RECORD, readings=[reading])["recordColdChainReadings"]["stored"] == 1
    module_status(alpha, "food", "read_only")
    # when
    later = {**reading, "recordedAt": "2026-01-01T08:05:00+08:00"}
    refused = data(client, RECORD, readings=[later])["recordColdChainReadings"]
    read = data(client, "query($id: ID!) { coldChainReadings(sensorId: $id, first: 5) { totalCount } }", id=str(sensor.pk))
    # then
    assert refused["errors"] == [{"field": None, "code": "MODULE_READ_ONLY"}]
    assert read["coldChainReadings"]["totalCount"] == 1
    page = client.get("/food/cold-chain/")
    assert page.status_code == 200 and sensor.code in page.content.decode()
    assert "/food/cold-chain/readings/upload/" not in page.content.decode()
    assert client.get("/food/cold-chain/sensors/new/").status_code == 403
    assert client.get("/food/cold-chain/readings/upload/").status_code == 403
    with schema_context(alpha.schema):
        assert ColdChainReading.objects.filter(sensor=sensor).count() == 1


def test_disabled_module_hides_pages_again(beta, module_status):
    # given
    client = beta.client()
    module_status(beta, "retail", "disabled")
    # then
    assert client.get("/retail/stores/").status_code == 404
    assert "retail" not in nav_modules(client)


def test_api_key_scoped_to_food_cannot_call_retail_mutations(beta, module_status):
    # given beta with both modules, and a read-write key limited to food
    module_status(beta, "food", "active")
    _, food_only = api_key(beta, "read_write", ("food",))
    _, retail_key = api_key(beta, "read_write", ("retail",), name="POS")
    # when
    refused = data(key_client(beta, food_only), CREATE_STORE, code="S-KEY", name="钥匙店")["createRetailStore"]
    allowed = data(key_client(beta, retail_key), CREATE_STORE, code="S-KEY", name="钥匙店")["createRetailStore"]
    # then
    assert refused["errors"][0]["code"] == "PERMISSION_DENIED"
    assert "not scoped to the retail module" in refused["errors"][0]["message"]
    assert allowed["errors"] == [] and allowed["retailStore"]["code"] == "S-KEY"
    with schema_context(beta.schema):
        assert RetailStore.objects.filter(store__code="S-KEY").count() == 1


def test_a_clerk_cannot_register_sensors(alpha):
    # given
    clerk = client_as(alpha, Role.CLERK)
    # when
    body = data(
        clerk,
        'mutation { createColdChainSensor(code: "T-1", locationId: "1", minC: "0", maxC: "4") { errors { code } } }',
    )
    # then
    assert body["createColdChainSensor"]["errors"] == [{"code": "PERMISSION_DENIED"}]
