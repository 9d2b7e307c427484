"""Restaurant menu, recipes, POS backflush and waste: real schemas, real ledger postings."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.exceptions import InsufficientStock
from core.inventory.models import ItemValuation, StockLevel, StockMove
from core.locations.models import LocationKind
from verticals.restaurant import backflush, services
from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
from verticals.restaurant.demo import build_hotpot_chain
from verticals.restaurant.exceptions import RecipeLoop, TicketLinesRejected, UnknownUnit
from verticals.restaurant.imports import lines_from_csv, sign
from verticals.restaurant.models import PosTicketLine, TheoreticalUsage, TicketLineStatus, WasteRecord
from verticals.restaurant.selectors import usage_variance
from verticals.restaurant.services import RecipeLineInput, dish_costs, explode_dish, save_recipe
from verticals.restaurant.waste import record_waste

D = Decimal


def on_hand(item, location) -> Decimal:
    return sum((level.on_hand for level in StockLevel.objects.filter(item=item, location=location)), D(0))


@pytest.fixture
def chain(in_alpha):
    return build_hotpot_chain(outlets=2, prefix="TT")


def sale(ticket: str, line: int, dish: str, quantity="1", **kwargs) -> TicketLineInput:
    return TicketLineInput(ticket_no=ticket, line_no=line, dish_code=dish, quantity=quantity, sold_at=timezone.now(), **kwargs)


def test_a_multi_level_recipe_explodes_into_base_units_with_trim_and_yield(chain):
    # given: the broth takes 1.5 L of a 10 L base made of 3 kg tallow, 2 斤 chilli (10% trim), 200 g pepper
    broth = chain.dishes["D-BROTH"]
    # when
    per_portion = explode_dish(broth.pk)
    # then: 1 斤 = 0.5 kg through the catalog; trim makes the gross 1 / 0.9 of the net
    items = chain.items
    assert per_portion[items["HP-TALLOW"].pk] == D("0.45")
    assert per_portion[items["HP-CHILLI"].pk].quantize(D("0.000001")) == (D("1") / D("0.9") * D("0.15")).quantize(D("0.000001"))
    assert per_portion[items["HP-PEPPER"].pk] == D("0.03")


def test_cost_per_dish_rolls_up_moving_average_costs_with_the_margin(chain):
    # given: beef received at 68 and then at 88 per kg → a moving average of 78
    from core.inventory.factories import receive

    beef = chain.items["HP-BEEF"]
    receive(beef, chain.outlets[0].stock_location, 400, unit_cost="88")
    assert ItemValuation.objects.get(item=beef).average_cost.quantize(D("0.01")) == D("78.00")
    # when
    cost = {c.dish.code: c for c in dish_costs()}["D-BEEF"]
    # then: 250 g at 78/kg = 19.50 against a price of 48
    assert cost.cost == D("19.50")
    assert cost.margin == D("28.50") and cost.margin_pct == D("59.4")


def test_a_recipe_that_uses_itself_is_refused_with_the_path(chain):
    # given: A uses B
    save_recipe(code="R-A", name="A", lines=[RecipeLineInput(item_id=chain.items["HP-TOFU"].pk, quantity=1)])
    save_recipe(code="R-B", name="B", lines=[RecipeLineInput(sub_recipe_code="R-A", quantity=1)])
    versions_before = services.Recipe.objects.get(code="R-A").versions.count()
    # when: A now uses B
    with pytest.raises(RecipeLoop) as refused:
        save_recipe(code="R-A", name="A", lines=[RecipeLineInput(sub_recipe_code="R-B", quantity=1)])
    # then
    assert refused.value.path == ["R-A", "R-B", "R-A"]
    assert services.Recipe.objects.get(code="R-A").versions.count() == versions_before


def test_a_unit_the_item_cannot_be_converted_from_is_refused(chain):
    with pytest.raises(UnknownUnit):
        save_recipe(code="R-X", name="X", lines=[RecipeLineInput(item_id=chain.items["HP-TOFU"].pk, quantity=1, unit="jin")])


def test_a_batch_backflushes_in_one_posting_and_a_resent_batch_posts_nothing(chain):
    # given
    outlet, beef = chain.outlets[0], chain.items["HP-BEEF"]
    lines = [sale(f"T{n}", 1, "D-BEEF") for n in range(8)] + [sale("T0", 2, "D-TOFU", quantity="3")]
    # when
    first = ingest_ticket_lines(outlet.pk, lines)
    again = ingest_ticket_lines(outlet.pk, lines)
    # then: 8 × 250 g of beef left the outlet, once
    assert (first.posted, first.in_review) == (9, 0)
    assert (again.received, again.already_received, again.posting_key) == (0, 9, "")
    assert on_hand(beef, outlet.stock_location) == D("198")
    assert StockMove.objects.filter(posting__idempotency_key=first.posting_key).count() == 2
    usage = TheoreticalUsage.objects.get(outlet=outlet, item=beef)
    assert usage.quantity == D("2")


def test_modifiers_scale_their_ingredient(chain):
    outlet, chilli, beef = chain.outlets[0], chain.items["HP-CHILLI"], chain.items["HP-BEEF"]
    ingest_ticket_lines(
        outlet.pk, [sale("M1", 1, "D-BROTH", modifiers=("NO-CHILLI",)), sale("M1", 2, "D-BEEF", modifiers=("EXTRA",))]
    )
    assert on_hand(chilli, outlet.stock_location) == D("200")  # no chilli taken
    assert on_hand(beef, outlet.stock_location) == D("199.5")  # double portion


def test_a_void_gives_back_what_the_sale_took(chain):
    outlet, beef = chain.outlets[0], chain.items["HP-BEEF"]
    ingest_ticket_lines(outlet.pk, [sale("V1", 1, "D-BEEF", quantity="2")])
    result = ingest_ticket_lines(outlet.pk, [sale("V1", 2, "D-BEEF", quantity="2", kind="void", reverses_line_no=1)])
    assert result.reversed == 1
    assert on_hand(beef, outlet.stock_location) == D("200")
    assert PosTicketLine.objects.get(outlet=outlet, ticket_no="V1", line_no=1).status == TicketLineStatus.REVERSED


def test_unknown_dishes_wait_in_the_review_queue_and_can_be_settled(chain):
    outlet = chain.outlets[0]
    result = ingest_ticket_lines(outlet.pk, [sale("U1", 1, "D-UNKNOWN"), sale("U1", 2, "D-TOFU")])
    assert (result.posted, result.in_review) == (1, 1)
    queued = PosTicketLine.objects.get(outlet=outlet, ticket_no="U1", line_no=1)
    assert queued.status == TicketLineStatus.REVIEW and "D-UNKNOWN" in queued.review_reason
    settled = backflush.resolve_review_line(queued.pk, dish_code="D-BEEF")
    assert settled.status == TicketLineStatus.POSTED
    assert on_hand(chain.items["HP-BEEF"], outlet.stock_location) == D("199.75")


def test_a_sale_beyond_stock_is_held_when_negative_stock_is_not_allowed(chain):
    outlet, tripe = chain.outlets[0], chain.items["HP-TRIPE"]
    # 0.2 kg / 0.95 per portion; 200 kg lasts 950 portions
    result = ingest_ticket_lines(
        outlet.pk, [sale("N1", 1, "D-TRIPE", quantity="900"), sale("N1", 2, "D-TRIPE", quantity="100")], allow_negative=False
    )
    assert (result.posted, result.held_for_stock) == (1, 1)
    held = PosTicketLine.objects.get(outlet=outlet, ticket_no="N1", line_no=2)
    assert held.status == TicketLineStatus.REVIEW and "HP-TRIPE" in held.review_reason
    assert on_hand(tripe, outlet.stock_location) >= 0


def test_negative_stock_allowed_posts_and_says_which_items_went_below_zero(chain):
    outlet, tripe = chain.outlets[0], chain.items["HP-TRIPE"]
    result = ingest_ticket_lines(outlet.pk, [sale("N2", 1, "D-TRIPE", quantity="1000")], allow_negative=True)
    assert result.negative_items == ["HP-TRIPE"] and result.messages
    assert on_hand(tripe, outlet.stock_location) < 0


def test_a_malformed_batch_lists_every_bad_line_and_stores_nothing(chain):
    outlet = chain.outlets[0]
    bad = [sale("B1", 1, "D-BEEF", quantity="-1"), sale("", 2, "D-BEEF"), sale("B1", 3, "D-BEEF", kind="void")]
    with pytest.raises(TicketLinesRejected) as refused:
        ingest_ticket_lines(outlet.pk, [*bad, sale("B1", 4, "D-BEEF")])
    assert [(b.row, b.field) for b in refused.value.bad_rows] == [(0, "quantity"), (1, "ticketNo"), (2, "reversesLineNo")]
    assert not PosTicketLine.objects.filter(outlet=outlet, ticket_no="B1").exists()


def test_csv_import_reads_the_pos_export(chain):
    text = "ticket_no,line_no,dish_code,quantity,sold_at,kind,modifiers,unit_price,reverses_line_no\n"
    text += f"C1,1,D-BEEF,2,{timezone.now().isoformat()},sale,EXTRA,48,\n"
    text += f"C1,2,D-BEEF,1,{timezone.now().isoformat()},refund,,48,1\n"
    result = ingest_ticket_lines(chain.outlets[1].pk, lines_from_csv(text))
    assert (result.posted, result.reversed) == (1, 1)
    assert on_hand(chain.items["HP-BEEF"], chain.outlets[1].stock_location) == D("199.5")  # 1 of 2 doubled portions back


def test_waste_is_its_own_document_posted_to_the_loss_location(chain):
    outlet, greens = chain.outlets[0], chain.items["HP-GREENS"]
    record = record_waste(
        outlet_id=outlet.pk, item_id=greens.pk, quantity="3", unit="jin", reason="spoiled", actor="cook", client_key="w1"
    )
    again = record_waste(
        outlet_id=outlet.pk, item_id=greens.pk, quantity="3", unit="jin", reason="spoiled", actor="cook", client_key="w1"
    )
    assert again.pk == record.pk and WasteRecord.objects.count() == 1
    assert record.quantity == D("1.5") and record.value == D("12.00")
    move = StockMove.objects.get(posting__idempotency_key=record.posting_key)
    assert move.to_location.kind == LocationKind.INVENTORY_LOSS
    with pytest.raises(InsufficientStock):
        record_waste(outlet_id=outlet.pk, item_id=greens.pk, quantity="5000", reason="spoiled", actor="cook")


def test_variance_after_a_count_sets_theoretical_against_actual_usage(chain):
    from core.counts import services as counts

    outlet, beef = chain.outlets[0], chain.items["HP-BEEF"]
    ingest_ticket_lines(outlet.pk, [sale(f"C{n}", 1, "D-BEEF", quantity="4") for n in range(10)])  # 10 kg theoretical
    count = counts.create_cycle_count(location=outlet.stock_location, item_ids=[beef.pk], actor="manager")
    counts.start_counting(count, actor="manager")
    line = count.lines.get()
    counts.record_count(line, counted_quantity=D("189"), actor="manager")  # 1 kg more went than the recipes say
    counts.complete_cycle_count(count, actor="manager")
    rows = {row.item_id: row for row in usage_variance(outlet.pk, count.pk)}
    assert rows[beef.pk].theoretical == D("10") and rows[beef.pk].actual == D("11")
    assert rows[beef.pk].variance_pct == D("10.0")


def test_signed_pos_endpoint_ingests_and_refuses_a_bad_signature(alpha, module_status):
    with schema_context(alpha.schema):
        chain = build_hotpot_chain(outlets=1, prefix="SG")
    module_status(alpha, "restaurant", "active")
    body = json.dumps(
        {
            "lines": [
                {
                    "ticketNo": "S1",
                    "lineNo": 1,
                    "dishCode": "D-TOFU",
                    "quantity": "2",
                    "soldAt": (timezone.now() - timedelta(minutes=1)).isoformat(),
                }
            ]
        }
    ).encode()
    client = alpha.client(login=False)
    url = f"/restaurant/pos/{chain.outlets[0].code}/ticket-lines/"
    refused = client.post(url, body, content_type="application/json", HTTP_X_JXC_SIGNATURE="sha256=00")
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "BAD_SIGNATURE"
    accepted = client.post(url, body, content_type="application/json", HTTP_X_JXC_SIGNATURE=sign("demo-secret-1", body))
    assert accepted.status_code == 200 and accepted.json()["posted"] == 1
    again = client.post(url, body, content_type="application/json", HTTP_X_JXC_SIGNATURE=sign("demo-secret-1", body))
    assert again.json()["alreadyReceived"] == 1


def test_waste_and_count_variance_reach_the_rule_pack_through_domain_events(chain):
    from core.counts import services as counts
    from core.events.models import DomainEvent
    from core.rules.events import evaluate_domain_event
    from core.rules.packs import load_rule_pack
    from verticals.restaurant.events import report_count_variance

    load_rule_pack("restaurant")
    outlet, beef, greens = chain.outlets[0], chain.items["HP-BEEF"], chain.items["HP-GREENS"]
    # a spoiled-greens waste record is tagged by the pack
    record_waste(outlet_id=outlet.pk, item_id=greens.pk, quantity="2", reason="spoiled", actor="cook", client_key="ev1")
    event = DomainEvent.objects.get(event_type="restaurant.waste_recorded")
    matched = {name for result in evaluate_domain_event(event) for _id, name, _v in result.matched}
    assert "变质报损标记" in matched and "单笔报损超 300 元需审批" not in matched
    # a count finding 10 % more beef used than the recipes say raises the variance notice
    ingest_ticket_lines(outlet.pk, [sale(f"E{n}", 1, "D-BEEF", quantity="4") for n in range(10)])
    count = counts.create_cycle_count(location=outlet.stock_location, item_ids=[beef.pk], actor="manager")
    counts.start_counting(count, actor="manager")
    counts.record_count(count.lines.get(), counted_quantity=D("189"), actor="manager")
    counts.complete_cycle_count(count, actor="manager")
    assert report_count_variance(outlet.pk, count.pk) == 1
    variance = DomainEvent.objects.get(event_type="restaurant.variance_computed")
    matched = {name for result in evaluate_domain_event(variance) for _id, name, _v in result.matched}
    assert "用量差异超 5% 通知" in matched and "实际用量低于理论 5%" not in matched
