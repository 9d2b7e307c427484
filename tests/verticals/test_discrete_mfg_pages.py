"""Manufacturing pages and GraphQL on the pump demo: gated by the module, zh-hans by default, en on request."""

from __future__ import annotations

from django_tenants.utils import schema_context

from verticals.discrete_mfg.demo import build_pump_demo
from verticals.discrete_mfg.models import BomVersion, EngineeringChange, WorkOrder

from .support import data, gql

IMPACT = """
query($id: ID!) { ecoImpact(id: $id) {
  changes { sku change } parents { sku level costBefore costAfter } workOrders { number }
  idleStock { sku } costBefore costAfter leadTimeBefore leadTimeAfter } }
"""


def _demo(alpha):
    with schema_context(alpha.schema):
        build_pump_demo()
        build_pump_demo()  # a second run adds nothing
        eco = EngineeringChange.objects.get(title="机械密封 M 型换 K 型")
        return eco, WorkOrder.objects.get(item__sku="HEAD-ASM"), BomVersion.objects.filter(item__sku="CP-50").count()


def test_the_pages_need_the_module(alpha):
    # alpha bought food only
    client = alpha.client()
    assert client.get("/discrete_mfg/").status_code in (403, 404)
    body = gql(client, "{ engineeringChanges { totalCount } }")
    assert body.get("errors")


def test_the_pump_demo_has_a_four_level_bom_and_the_impact_page_shows_what_the_eco_touches(alpha, module_status):
    module_status(alpha, "discrete_mfg", "active")
    eco, work_order, versions = _demo(alpha)
    assert versions == 1
    client = alpha.client()
    front = client.get("/discrete_mfg/")
    assert front.status_code == 200 and "机械密封 M 型换 K 型" in front.content.decode()
    page = client.get(f"/discrete_mfg/eco/{eco.pk}/").content.decode()
    assert "CP-50" in page and work_order.number in page and "SEAL-M" in page
    tree = client.get(f"/discrete_mfg/bom/{eco.new_version.item.pk}/").content.decode()
    assert "IMP-ASM" in tree and "IMP-CAST" in tree and "CP-50" in tree  # down three levels and up one
    english = client.get(f"/discrete_mfg/eco/{eco.pk}/?lang=en").content.decode()
    assert "Open work orders" in english and "Where used (all levels)" in english
    assert "在制工单" in page and "使用位置（所有层级）" in page  # zh-hans by default


def test_the_impact_answers_over_graphql_and_the_line_side_completes_a_work_order(alpha, module_status):
    module_status(alpha, "discrete_mfg", "active")
    eco, work_order, _versions = _demo(alpha)
    client = alpha.client()
    ids = data(client, "{ engineeringChanges { edges { node { id number itemSku } } } }")["engineeringChanges"]["edges"]
    node = next(edge["node"] for edge in ids if edge["node"]["number"] == eco.number)
    impact = data(client, IMPACT, id=node["id"])["ecoImpact"]
    assert {(c["sku"], c["change"]) for c in impact["changes"]} == {("SEAL-M", "removed"), ("SEAL-K", "added")}
    assert [p["sku"] for p in impact["parents"]] == ["CP-50"]
    assert float(impact["costAfter"]) - float(impact["costBefore"]) == 7.0
    assert (impact["leadTimeBefore"], impact["leadTimeAfter"]) == (28, 31)  # the casing (25 d) gives way to the K seal (28 d)
    assert impact["workOrders"] == [{"number": work_order.number}]
    page = client.get(f"/discrete_mfg/work-orders/{work_order.pk}/").content.decode()
    assert work_order.number in page
    issued = client.post(f"/discrete_mfg/work-orders/{work_order.pk}/action/", {"action": "issue", "token": "t1"})
    assert issued.status_code == 302
    done = client.post(
        f"/discrete_mfg/work-orders/{work_order.pk}/action/", {"action": "complete", "token": "t2", "quantity": "10"}
    )
    assert done.status_code == 302
    with schema_context(alpha.schema):
        work_order.refresh_from_db()
        assert work_order.state == "completed" and work_order.completed_quantity == 10
    assert client.get("/discrete_mfg/mrp/").status_code == 200 and client.get("/discrete_mfg/lead-times/").status_code == 200


BOM = """
query($id: ID!) { bomStructure(itemId: $id) {
  sku rolledUpCost tree { depth sku parentDatabaseId perUnit phantom } whereUsed { sku level } } }
"""


def test_the_bom_tree_and_where_used_answer_over_graphql_as_on_the_page(alpha, module_status):
    module_status(alpha, "discrete_mfg", "active")
    _demo(alpha)
    with schema_context(alpha.schema):
        from core.catalog.models import Item

        pump, seal = Item.objects.get(sku="CP-50"), Item.objects.get(sku="SEAL-M")
    client = alpha.client()
    top = data(client, BOM, id=str(pump.pk))["bomStructure"]
    assert top["sku"] == "CP-50" and top["whereUsed"] == []
    depths = {row["sku"]: row["depth"] for row in top["tree"]}
    assert (depths["HEAD-ASM"], depths["MOTOR-4KW"], depths["SEAL-M"], depths["IMP-ASM"], depths["IMP-CAST"]) == (1, 1, 2, 2, 3)
    assert {row["sku"] for row in top["tree"] if row["phantom"]} == {"KIT-FAST"}
    assert all(row["perUnit"] is not None for row in top["tree"]) and float(top["rolledUpCost"]) > 0
    up = data(client, BOM, id=str(seal.pk))["bomStructure"]
    assert up["tree"] == [] and up["whereUsed"] == [{"sku": "HEAD-ASM", "level": 1}, {"sku": "CP-50", "level": 2}]
    page = client.get(f"/discrete_mfg/bom/{pump.pk}/").content.decode()
    assert all(row["sku"] in page for row in top["tree"])
    assert data(client, BOM, id="999999")["bomStructure"] is None


def test_planned_orders_are_listed_firmed_and_released_over_graphql(alpha, module_status):
    module_status(alpha, "discrete_mfg", "active")
    _demo(alpha)
    client = alpha.client()
    with schema_context(alpha.schema):
        from core.locations.models import Location, LocationKind

        plant = Location.objects.get(code="PLANT-PUMP/stock", kind=LocationKind.INTERNAL)
    run = data(client, "mutation($l: ID!) { runMrp(locationId: $l) { runId errors { code } } }", l=str(plant.pk))
    assert run["runMrp"]["errors"] == []
    listed = data(client, '{ plannedOrders(kind: "work") { databaseId sku firmed releasedDocumentType } }')["plannedOrders"]
    assert listed, "the pump demo's sales orders call for planned work orders"
    target = listed[0]["databaseId"]
    firmed = data(
        client,
        "mutation($p: Int!) { firmPlannedOrder(plannedOrderId: $p) { plannedOrder { firmed } errors { code } } }",
        p=target,
    )
    assert firmed["firmPlannedOrder"] == {"plannedOrder": {"firmed": True}, "errors": []}
    release = "mutation($p: Int!) { releasePlannedOrder(plannedOrderId: $p) { documentType documentId number errors { code } } }"
    first = data(client, release, p=target)["releasePlannedOrder"]
    again = data(client, release, p=target)["releasePlannedOrder"]
    assert first["documentType"] == "work_order" and first["number"].startswith("WO") and again == first
    missing = data(client, release, p=999999)["releasePlannedOrder"]
    assert missing["errors"][0]["code"] == "NOT_FOUND"
