"""Retail shops: open, edit, close through GraphQL, services and pages, with clear refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, make_stock_location, receive
from core.locations.models import Location, LocationKind, Store
from core.locations.services import get_virtual_location
from verticals.retail import services
from verticals.retail.exceptions import AlreadyAShop, DuplicateStoreCode
from verticals.retail.models import RetailStore

from .support import data, gql

CREATE = """
mutation($code: String!, $name: String!, $hours: String, $warehouse: ID) {
  createRetailStore(code: $code, name: $name, openingHours: $hours, warehouseId: $warehouse, address: "杭州市西湖区") {
    retailStore { id databaseId code store { code warehouse { code } } }
    errors { field code }
  }
}
"""
UPDATE = """
mutation($id: ID!, $name: String, $location: ID, $hours: String) {
  updateRetailStore(id: $id, name: $name, stockLocationId: $location, openingHours: $hours) {
    retailStore { name openingHours stockLocation { code } }
    errors { field code message }
  }
}
"""
DEACTIVATE = "mutation($id: ID!) { deactivateRetailStore(id: $id) { retailStore { active } errors { code } } }"


def open_shop(info, code: str) -> RetailStore:
    with schema_context(info.schema):
        return services.open_store(code=code, name=f"{code} 店", opening_hours="09:00–21:00")


def test_a_store_is_a_core_store_with_a_retail_profile(beta):
    # given
    client = beta.client()
    with schema_context(beta.schema):
        warehouse = make_stock_location("WH-R1").warehouse
    # when
    created = data(client, CREATE, code="S-100", name="滨江店", hours="10:00–22:00", warehouse=str(warehouse.pk))
    # then: transfers and replenishment see the same store row
    shop = created["createRetailStore"]["retailStore"]
    assert created["createRetailStore"]["errors"] == []
    assert shop["store"] == {"code": "S-100", "warehouse": {"code": "WH-R1"}}
    with schema_context(beta.schema):
        profile = RetailStore.objects.select_related("store", "stock_location").get(pk=shop["databaseId"])
        assert profile.store.address == "杭州市西湖区" and profile.opening_hours == "10:00–22:00"
        assert profile.stock_location.code == "S-100/stock" and profile.stock_location.store_id == profile.store_id
    found = data(client, "query($id: ID!) { retailStore(id: $id) { code } }", id=shop["id"])
    assert found == {"retailStore": {"code": "S-100"}}


@pytest.mark.parametrize(
    ("code", "name", "warehouse", "error"),
    [
        ("S-DUP", "又一家", None, {"field": "code", "code": "DUPLICATE_CODE"}),
        ("  ", "空代码", None, {"field": "code", "code": "INVALID"}),
        ("S-NEW", "无仓库", "999999", {"field": "warehouseId", "code": "UNKNOWN_WAREHOUSE"}),
    ],
)
def test_bad_store_input_is_refused_and_nothing_is_written(beta, code, name, warehouse, error):
    # given
    open_shop(beta, "S-DUP")
    with schema_context(beta.schema):
        before = (Store.objects.count(), Location.objects.count(), RetailStore.objects.count())
    # when
    body = data(beta.client(), CREATE, code=code, name=name, warehouse=warehouse)
    # then
    assert body["createRetailStore"] == {"retailStore": None, "errors": [error]}
    with schema_context(beta.schema):
        assert (Store.objects.count(), Location.objects.count(), RetailStore.objects.count()) == before


def test_a_store_code_taken_by_a_core_store_is_a_duplicate(beta):
    # given a store made by the core (no retail profile)
    from core.locations.services import create_store

    with schema_context(beta.schema):
        create_store("S-CORE", "核心门店")
        # when / then
        with pytest.raises(DuplicateStoreCode):
            services.open_store(code="S-CORE", name="零售门店")
        assert not RetailStore.objects.exists()


def test_update_changes_details_and_the_stock_location(beta):
    # given
    shop = open_shop(beta, "S-200")
    with schema_context(beta.schema):
        backroom = Location.objects.create(code="S-200/backroom", name="后仓", kind=LocationKind.INTERNAL, store=shop.store)
    # when
    body = data(beta.client(), UPDATE, id=str(shop.pk), name="新名字", location=str(backroom.pk), hours="")
    # then
    assert body["updateRetailStore"] == {
        "retailStore": {"name": "新名字", "openingHours": "", "stockLocation": {"code": "S-200/backroom"}},
        "errors": [],
    }


def test_update_refuses_a_location_that_cannot_hold_the_shops_stock(beta):
    # given two shops
    shop, other = open_shop(beta, "S-300"), open_shop(beta, "S-301")
    with schema_context(beta.schema):
        supplier = get_virtual_location(LocationKind.SUPPLIER)
    client = beta.client()
    cases = {"999999": "UNKNOWN_LOCATION", str(supplier.pk): "INVALID_LOCATION", str(other.stock_location_id): "LOCATION_IN_USE"}
    for location, code in cases.items():
        # when
        body = data(client, UPDATE, id=str(shop.pk), name="不会保存", location=location)
        # then: the typed error, and the name is not half-saved
        assert [(e["field"], e["code"]) for e in body["updateRetailStore"]["errors"]] == [("stockLocationId", code)]
    with schema_context(beta.schema):
        assert Store.objects.get(pk=shop.store_id).name == "S-300 店"


def test_opening_hours_are_limited(beta):
    # given
    shop = open_shop(beta, "S-350")
    # when
    body = data(beta.client(), UPDATE, id=str(shop.pk), hours="x" * 501)
    # then
    assert [(e["field"], e["code"]) for e in body["updateRetailStore"]["errors"]] == [("openingHours", "INVALID")]


def test_a_store_with_stock_cannot_close_and_an_empty_one_can(beta):
    # given a shop with stock on hand, and an empty one
    stocked, empty = open_shop(beta, "S-400"), open_shop(beta, "S-401")
    with schema_context(beta.schema):
        receive(make_item(), stocked.stock_location, "5")
    client = beta.client()
    # when
    refused = data(client, DEACTIVATE, id=str(stocked.pk))["deactivateRetailStore"]
    closed = data(client, DEACTIVATE, id=str(empty.pk))["deactivateRetailStore"]
    again = data(client, DEACTIVATE, id=str(empty.pk))["deactivateRetailStore"]
    edit_closed = data(client, UPDATE, id=str(empty.pk), name="改名")["updateRetailStore"]
    # then
    assert refused == {"retailStore": None, "errors": [{"code": "STOCK_ON_HAND"}]}
    assert closed == again == {"retailStore": {"active": False}, "errors": []}
    assert edit_closed["errors"][0]["code"] == "STORE_INACTIVE"
    listed = data(client, "{ retailStores(first: 5, active: true) { edges { node { code } } } }")
    assert listed["retailStores"]["edges"] == [{"node": {"code": "S-400"}}]


def test_a_store_with_goods_in_transit_to_it_cannot_close(in_alpha):
    # given a shop with goods shipped to it but not yet received
    from core.locations.services import create_transit_location
    from verticals.retail.exceptions import StockStillOnHand

    shop = services.open_store(code="S-410", name="在途店")
    receive(make_item(), create_transit_location(shop.stock_location, "T-410"), "3")
    # when
    with pytest.raises(StockStillOnHand) as refused:
        services.deactivate_store(shop.pk)
    # then
    assert refused.value.code == "STOCK_IN_TRANSIT"
    assert Store.objects.get(pk=shop.store_id).active


def test_unknown_store_id_is_a_typed_error(beta):
    body = gql(beta.client(), DEACTIVATE, id="not-an-id")
    assert body["data"]["deactivateRetailStore"]["errors"] == [{"code": "NOT_FOUND"}]


def test_store_pages_open_edit_and_close_a_store(beta):
    # given
    client = beta.client()
    new_page = client.get("/retail/stores/new/")
    token = new_page.context["form"]["token"].value()
    form = {"token": token, "code": "S-500", "name": "表单店", "address": "", "opening_hours": "08:00–20:00"}
    # when
    created = client.post("/retail/stores/new/", form)
    twice = client.post("/retail/stores/new/", form)  # a double submit
    duplicate = client.post("/retail/stores/new/", {**form, "token": "another"})
    # then
    assert created.status_code == 302 and twice.status_code == 302 and twice["Location"] == created["Location"]
    assert "DUPLICATE_CODE" in duplicate.content.decode()
    with schema_context(beta.schema):
        shop = RetailStore.objects.get(store__code="S-500")
    listing = client.get("/retail/stores/").content.decode()
    assert "表单店" in listing and "08:00–20:00" in listing and "新建门店" in listing
    edited = client.post(
        f"/retail/stores/{shop.pk}/edit/",
        {"name": "改过的店", "address": "", "opening_hours": "", "stock_location": shop.stock_location_id},
    )
    closed = client.post(f"/retail/stores/{shop.pk}/close/")
    assert edited.status_code == 302 and closed.status_code == 302
    with schema_context(beta.schema):
        store = Store.objects.get(code="S-500")
        assert (store.name, store.active) == ("改过的店", False)
    assert client.get(f"/retail/stores/{shop.pk}/close/").status_code == 405


def test_a_store_the_core_already_has_becomes_a_shop_once(in_alpha):
    # given a store made before retail was bought
    from core.locations.services import create_store

    store = create_store("ST-OLD", "老店")
    # when
    shop = services.adopt_store(store.pk, opening_hours="07:00–19:00")
    # then
    assert (shop.store_id, shop.stock_location.code, shop.opening_hours) == (store.pk, "ST-OLD/stock", "07:00–19:00")
    with pytest.raises(AlreadyAShop):
        services.adopt_store(store.pk)
    assert RetailStore.objects.filter(store=store).count() == 1


def test_demo_data_turns_the_core_demo_stores_into_shops(in_alpha):
    # given the stores the core demo makes
    from core.locations.services import create_store
    from verticals.retail.demo import build_retail_demo

    create_store("ST-HZ1", "杭州文三路店")
    create_store("ST-HZ2", "杭州滨江店")
    # when run twice
    build_retail_demo()
    build_retail_demo()
    # then
    assert sorted(RetailStore.objects.values_list("store__code", flat=True)) == ["ST-HZ1", "ST-HZ2"]


def test_store_page_costs_the_same_queries_for_one_or_many_stores(beta):
    # given ten shops
    client = beta.client()
    for number in range(10):
        open_shop(beta, f"S-Q{number}")
    query = """query($first: Int!) { retailStores(first: $first) { totalCount edges { node {
      code name openingHours active store { code } stockLocation { code } } } } }"""
    data(client, query, first=1)  # warm the entitlement cache
    # when
    with CaptureQueriesContext(connection) as one:
        small = data(client, query, first=1)
    with CaptureQueriesContext(connection) as ten:
        large = data(client, query, first=10)
    # then
    assert len(small["retailStores"]["edges"]) == 1 and large["retailStores"]["totalCount"] == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_existing_core_stores_become_shops_over_graphql_and_on_the_page(beta):
    # given two stores the core made before retail was bought
    from core.locations.services import create_store

    with schema_context(beta.schema):
        first, second = create_store("ST-A", "甲店"), create_store("ST-B", "乙店")
    client = beta.client()
    listing = client.get("/retail/stores/").content.decode()
    # when
    adopted = data(
        client,
        'mutation($id: ID!) { adoptRetailStore(storeId: $id, openingHours: "9-21") { retailStore { code } errors { code } } }',
        id=str(first.pk),
    )["adoptRetailStore"]
    again = data(client, "mutation($id: ID!) { adoptRetailStore(storeId: $id) { errors { code } } }", id=str(first.pk))
    posted = client.post(f"/retail/stores/adopt/{second.pk}/")
    # then
    assert "尚未开通零售的门店" in listing and "ST-A" in listing and "ST-B" in listing
    assert adopted == {"retailStore": {"code": "ST-A"}, "errors": []}
    assert again["adoptRetailStore"]["errors"] == [{"code": "ALREADY_A_SHOP"}]
    assert posted.status_code == 302
    with schema_context(beta.schema):
        assert sorted(RetailStore.objects.values_list("store__code", flat=True)) == ["ST-A", "ST-B"]
    assert "尚未开通零售的门店" not in client.get("/retail/stores/").content.decode()
