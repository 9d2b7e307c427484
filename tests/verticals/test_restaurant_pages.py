"""Restaurant pages and GraphQL: gated by the module, zh-hans by default and English on request, phone-first
kitchen forms (waste entry with a photo, prep list), the review queue, and the prep list from the forecast."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from verticals.restaurant import planning
from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
from verticals.restaurant.demo import build_hotpot_chain
from verticals.restaurant.models import DishForecast, PosTicketLine, TicketLineStatus, WasteRecord

from .support import data, gql

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def setup_chain(info):
    with schema_context(info.schema):
        return build_hotpot_chain(outlets=1, prefix="PG")


def test_pages_are_hidden_without_the_module_and_speak_chinese_then_english(alpha, module_status):
    setup_chain(alpha)
    client = alpha.client()
    module_status(alpha, "restaurant", "disabled")
    assert client.get("/restaurant/menu/").status_code == 404
    module_status(alpha, "restaurant", "active")
    page = client.get("/restaurant/menu/").content.decode()
    assert "菜品与成本" in page and "精品肥牛" in page and "17.00" in page  # 250 g of beef at 68/kg
    english = client.get("/restaurant/menu/?lang=en").content.decode()
    assert "Menu and costs" in english and "Cost per portion" in english
    for url in (
        "/restaurant/prep/",
        "/restaurant/waste/",
        "/restaurant/pos/review/",
        "/restaurant/schedule/",
        "/restaurant/pos/import/",
    ):
        assert client.get(url).status_code == 200, url


def test_waste_entry_with_a_photo_posts_once_to_the_loss_location(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    form = {
        "outlet": chain.outlets[0].pk, "item": chain.items["HP-GREENS"].pk, "quantity": "2", "unit": "jin",
        "reason": "spoiled", "note": "冷柜门没关", "token": "waste-form-1",
    }  # fmt: skip
    first = client.post("/restaurant/waste/", {**form, "photo": SimpleUploadedFile("g.png", PNG, "image/png")})
    again = client.post("/restaurant/waste/", form)
    assert first.status_code == 302 and again.status_code == 302
    with schema_context(alpha.schema):
        record = WasteRecord.objects.get()
        assert (
            record.quantity == Decimal("1")
            and record.reason == "spoiled"
            and record.photo.name.startswith(f"tenants/{alpha.schema}/restaurant/waste/")
        )
    page = client.get("/restaurant/waste/").content.decode()
    assert "报损已登记" in page or "变质" in page


def test_bad_waste_input_is_a_message_not_a_500(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    response = alpha.client().post(
        "/restaurant/waste/",
        {
            "outlet": chain.outlets[0].pk,
            "item": chain.items["HP-GREENS"].pk,
            "quantity": "abc",
            "reason": "spoiled",
            "token": "w2",
        },
        follow=True,
    )
    assert response.status_code == 200 and "不是数字" in response.content.decode()
    with schema_context(alpha.schema):
        assert not WasteRecord.objects.exists()


def test_review_queue_page_settles_an_unknown_dish(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    with schema_context(alpha.schema):
        ingest_ticket_lines(chain.outlets[0].pk, [TicketLineInput("R1", 1, "BEEF-OLD-CODE", 1, timezone.now())])
        line = PosTicketLine.objects.get(ticket_no="R1")
    client = alpha.client()
    assert "BEEF-OLD-CODE" in client.get("/restaurant/pos/review/").content.decode()
    client.post(f"/restaurant/pos/review/{line.pk}/resolve/", {"dish_code": "D-BEEF"})
    with schema_context(alpha.schema):
        assert PosTicketLine.objects.get(ticket_no="R1").status == TicketLineStatus.POSTED


def test_prep_list_turns_the_dish_forecast_into_sub_recipes_and_ingredients(alpha):
    chain = setup_chain(alpha)
    with schema_context(alpha.schema):
        outlet, day = chain.outlets[0], timezone.localdate() + timedelta(days=1)
        DishForecast.objects.create(outlet=outlet, dish=chain.dishes["D-BROTH"], day=day, quantity=Decimal("20"))
        rows = {(row.kind, row.code): row for row in planning.prep_list(outlet.pk, day)}
        # 20 pots × 1.5 L of the 10 L tallow base; 20 × 0.45 kg tallow
        assert rows[("sub_recipe", "R-TALLOW-BASE")].quantity == Decimal("30.000")
        tallow = rows[("ingredient", "HP-TALLOW")]
        assert tallow.quantity == Decimal("9.000") and tallow.on_hand == Decimal("200")
        outlet.open_weekdays = [d for d in range(7) if d != day.weekday()]
        outlet.save()
        assert planning.prep_list(outlet.pk, day) == []  # closed that day


def test_prep_list_falls_back_to_the_sales_history(alpha):
    chain = setup_chain(alpha)
    with schema_context(alpha.schema):
        outlet, today = chain.outlets[0], timezone.localdate()
        lines = [
            TicketLineInput(f"H{d}-{n}", 1, "D-TOFU", 1, timezone.now() - timedelta(days=d))
            for d in range(1, 22)
            for n in range(10 if (today - timedelta(days=d)).weekday() == today.weekday() else 4)
        ]
        ingest_ticket_lines(outlet.pk, lines)
        forecast = planning.dish_forecast(outlet.pk, today)
        assert forecast[chain.dishes["D-TOFU"].pk] == Decimal("10")  # the same weekday last week


INGEST = """
mutation($outlet: ID!, $lines: [PosTicketLineInput!]!) {
  ingestPosTicketLines(outletId: $outlet, lines: $lines) {
    result { posted inReview alreadyReceived postingKey }
    errors { field code message }
  }
}
"""


def test_graphql_ingests_pos_lines_reports_bad_rows_and_reads_costs(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    sold = timezone.now().isoformat()
    good = [{"ticketNo": "G1", "lineNo": 1, "dishCode": "D-BEEF", "quantity": "2", "soldAt": sold}]
    body = data(client, INGEST, outlet=str(chain.outlets[0].pk), lines=good)["ingestPosTicketLines"]
    assert body["errors"] == [] and body["result"]["posted"] == 1
    bad = [{"ticketNo": "G2", "lineNo": 1, "dishCode": "D-BEEF", "quantity": "-2", "soldAt": sold}]
    refused = data(client, INGEST, outlet=str(chain.outlets[0].pk), lines=bad)["ingestPosTicketLines"]
    assert refused["result"] is None and refused["errors"][0]["field"] == "lines.0.quantity"
    costs = data(client, "{ dishCosts { dish { code } cost marginPct } }")["dishCosts"]
    assert {"dish": {"code": "D-BEEF"}, "cost": "17.00", "marginPct": "64.6"} in costs
    lines = '[{subRecipeCode: "R-D-BROTH", quantity: "1"}]'
    loop = gql(
        client, f'mutation {{ saveRecipe(code: "R-TALLOW-BASE", name: "x", lines: {lines}) {{ errors {{ code message }} }} }}'
    )
    assert loop["data"]["saveRecipe"]["errors"][0]["code"] == "RECIPE_LOOP"


def test_the_demo_hot_pot_chain_builds_once_with_sales_backflushed(in_alpha):
    from core.modules import registry
    from verticals.restaurant.models import Outlet

    module = registry.get("restaurant")
    assert module.demo_data is not None and any(spec.kind == "loss" for spec in module.ml_specs)
    module.demo_data()
    module.demo_data()  # safe to run twice
    assert Outlet.objects.filter(store__code__startswith="HP-").count() == 3
    assert PosTicketLine.objects.filter(status=TicketLineStatus.POSTED).count() == 3 * 160
