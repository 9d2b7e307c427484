"""The restaurant's management pages (outlets, labour regions, staff, the recipe editor, receiving at the
kitchen door) and the rule-pack events the services now emit (prep list, dish cost, schedule, par, POS
review) evaluated by the rules engine, with the variance recount action."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from core.counts import services as counts
from core.counts.models import CycleCount, CycleCountState
from core.events.models import DomainEvent
from core.inventory.models import StockLevel
from core.partners.services import create_supplier
from core.purchasing.services import OrderLineInput, create_purchase_order, send_purchase_order, submit_purchase_order
from core.rules.events import evaluate_domain_event
from core.rules.packs import load_rule_pack
from verticals.restaurant import planning
from verticals.restaurant.backflush import TicketLineInput, ingest_ticket_lines
from verticals.restaurant.demo import build_hotpot_chain
from verticals.restaurant.events import report_count_variance
from verticals.restaurant.models import LabourRegion, Outlet, Recipe, StaffMember
from verticals.restaurant.services import RecipeLineInput, save_recipe

D = Decimal
ASCII_CODE = re.compile(r"\b[A-Z]{3,}_[A-Z_]{3,}\b")  # an error code such as INVALID_QUANTITY leaking to the page


def setup_chain(info, prefix="MG"):
    with schema_context(info.schema):
        return build_hotpot_chain(outlets=1, prefix=prefix)


def page_text(response) -> str:
    text = response.content.decode()
    assert response.status_code == 200, text[:500]
    assert not ASCII_CODE.search(re.sub(r"<[^>]+>", " ", text)), ASCII_CODE.search(text)
    return text


def matched(event: DomainEvent) -> set[str]:
    return {name for result in evaluate_domain_event(event) for _id, name, _version in result.matched}


# --- pages -------------------------------------------------------------------------------------------------


def test_outlets_open_and_edit_in_the_browser_and_bad_input_is_a_message(alpha, module_status):
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    assert "门店" in page_text(client.get("/restaurant/outlets/"))
    opened = client.post("/restaurant/outlets/", {"code": "OUT-9", "name": "西湖店", "region": "CN"})
    assert opened.status_code == 302
    with schema_context(alpha.schema):
        outlet = Outlet.objects.get(store__code="OUT-9")
    edited = client.post(
        f"/restaurant/outlets/{outlet.pk}/",
        {"name": "西湖旗舰店", "region": "SH", "open_weekdays": ["1", "2", "3", "4", "5", "6"]},
    )
    assert edited.status_code == 302
    with schema_context(alpha.schema):
        outlet.refresh_from_db()
        assert (outlet.store.name, outlet.region, outlet.open_weekdays) == ("西湖旗舰店", "SH", [1, 2, 3, 4, 5, 6])
    duplicate = page_text(client.post("/restaurant/outlets/", {"code": "OUT-9", "name": "again"}, follow=True))
    assert "已被使用" in duplicate or "already" in duplicate
    nameless = page_text(client.post(f"/restaurant/outlets/{outlet.pk}/", {"name": " ", "region": "SH"}, follow=True))
    assert "名称" in nameless
    with schema_context(alpha.schema):
        assert Outlet.objects.get(pk=outlet.pk).store.name == "西湖旗舰店"  # the refused edit wrote nothing


def test_labour_regions_and_staff_are_managed_on_pages_and_refuse_bad_hours(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    rules = {"max_weekly_hours": "40", "min_rest_hours": "12", "max_shift_hours": "9", "fatigue_after_hours": "7"}
    assert client.post("/restaurant/labour-regions/", {"code": "sh", **rules, "max_days_per_week": "5"}).status_code == 302
    refused = page_text(
        client.post(
            "/restaurant/labour-regions/",
            {"code": "BJ", **rules, "fatigue_after_hours": "12", "max_days_per_week": "5"},
            follow=True,
        )
    )
    assert "疲劳" in refused
    outlet = chain.outlets[0]
    added = client.post(
        "/restaurant/staff/",
        {"outlet": outlet.pk, "name": "王厨", "roles": ["chef", "manager"], "min_weekly_hours": "20", "max_weekly_hours": "36"},
    )
    assert added.status_code == 302
    with schema_context(alpha.schema):
        region = LabourRegion.objects.get(code="SH")
        assert (region.max_weekly_hours, region.min_rest_hours, region.max_days_per_week) == (40, 12, 5)
        assert not LabourRegion.objects.filter(code="BJ").exists()
        member = StaffMember.objects.get(name="王厨")
        assert (member.roles, member.min_weekly_hours, member.max_weekly_hours) == (["chef", "manager"], 20, 36)
    listing = page_text(client.get(f"/restaurant/staff/?outlet={outlet.pk}"))
    assert "王厨" in listing and "每周" in listing
    edited = client.post(
        f"/restaurant/staff/{member.pk}/", {"outlet": outlet.pk, "name": "王厨", "roles": ["server"], "max_weekly_hours": ""}
    )
    assert edited.status_code == 302
    bad = page_text(
        client.post(
            f"/restaurant/staff/{member.pk}/",
            {"outlet": outlet.pk, "name": "王厨", "roles": ["server"], "min_weekly_hours": "30", "max_weekly_hours": "10"},
            follow=True,
        )
    )
    assert "低于" in bad
    with schema_context(alpha.schema):
        member.refresh_from_db()
        assert (member.roles, member.max_weekly_hours, member.active, member.min_weekly_hours) == (["server"], None, False, 0)
    english = client.get("/restaurant/labour-regions/?lang=en").content.decode()
    assert "Weekly hours limit" in english


def test_the_recipe_editor_saves_versions_with_sub_recipes_trim_and_refuses_a_loop(alpha, module_status):
    chain = setup_chain(alpha)
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    assert client.post("/restaurant/recipes/", {"code": "D-LAMB", "name_zh": "羊肉卷", "price": "58"}).status_code == 302
    beef, chilli = chain.items["HP-BEEF"], chain.items["HP-CHILLI"]
    sauce = {
        "code": "S-DIP", "name": "蘸料", "yield_quantity": "2", "yield_unit": "kg",
        "line_item": [str(chilli.pk), ""], "line_sub": ["", ""], "line_quantity": ["1", ""], "line_unit": ["jin", ""],
        "line_trim": ["10", "0"],
    }  # fmt: skip
    assert client.post("/restaurant/recipes/edit/", sauce).status_code == 302
    with schema_context(alpha.schema):
        lamb = chain.dishes["D-BEEF"].__class__.objects.get(code="D-LAMB")
    first = {
        "code": "R-D-LAMB", "name": "羊肉卷", "yield_quantity": "1",
        "line_item": [str(beef.pk), ""], "line_sub": ["", "S-DIP"], "line_quantity": ["200", "0.05"],
        "line_unit": ["g", ""], "line_trim": ["5", "0"],
    }  # fmt: skip
    assert client.post(f"/restaurant/recipes/edit/?dish={lamb.pk}", first).status_code == 302
    second = {**first, "line_quantity": ["250", "0.05"], "note": "加量"}
    assert client.post("/restaurant/recipes/edit/?code=R-D-LAMB", second).status_code == 302
    with schema_context(alpha.schema):
        recipe = Recipe.objects.get(code="R-D-LAMB")
        assert recipe.dish_id == lamb.pk and recipe.versions.count() == 2 and recipe.current_version.number == 2
        lines = {(line.item_id, line.sub_recipe_id): line for line in recipe.current_version.lines.all()}
        assert lines[(beef.pk, None)].gross_quantity == D("0.263158")  # 250 g net, 5 % trim → 0.263 kg taken
        assert (None, Recipe.objects.get(code="S-DIP").pk) in lines
    editor = page_text(client.get("/restaurant/recipes/edit/?code=R-D-LAMB"))
    assert "v2" in editor and "加量" in editor
    loop = {**sauce, "line_item": ["", ""], "line_sub": ["R-D-LAMB", ""], "line_quantity": ["1", ""], "line_unit": ["", ""]}
    refused = page_text(client.post("/restaurant/recipes/edit/?code=S-DIP", loop, follow=True))
    assert "S-DIP → R-D-LAMB → S-DIP" in refused
    with schema_context(alpha.schema):
        assert Recipe.objects.get(code="S-DIP").versions.count() == 1


def _sent_order(chain, quantity="10"):
    supplier = create_supplier(code="SUP-FISH", name="舟山水产")
    order = create_purchase_order(
        supplier=supplier,
        destination=chain.outlets[0].stock_location,
        lines=[OrderLineInput(item_id=chain.items["HP-SHRIMP"].pk, quantity=D(quantity), unit_price=D("30"))],
        actor="buyer",
    )
    submit_purchase_order(order, actor="buyer")
    order.refresh_from_db()
    return send_purchase_order(order, actor="buyer")


def test_receiving_at_the_kitchen_door_posts_once_and_refuses_too_much(alpha, module_status):
    chain = setup_chain(alpha)
    with schema_context(alpha.schema):
        order = _sent_order(chain)
        shrimp, location = chain.items["HP-SHRIMP"], chain.outlets[0].stock_location
        before = sum(level.on_hand for level in StockLevel.objects.filter(item=shrimp, location=location))
    module_status(alpha, "restaurant", "active")
    client = alpha.client()
    page = page_text(client.get("/restaurant/receiving/"))
    assert order.number in page and "确认收货" in page
    line = order.lines.get()
    too_much = page_text(
        client.post("/restaurant/receiving/", {"order": order.pk, "token": "t1", f"quantity_{line.pk}": "50"}, follow=True)
    )
    assert "仍未收" in too_much or "多于" in too_much
    form = {"order": order.pk, "token": "t2", f"quantity_{line.pk}": "6"}
    assert client.post("/restaurant/receiving/", form).status_code == 302
    assert client.post("/restaurant/receiving/", form).status_code == 302  # a double tap posts nothing more
    with schema_context(alpha.schema):
        after = sum(level.on_hand for level in StockLevel.objects.filter(item=shrimp, location=location))
        assert after - before == D("6")
        order.refresh_from_db()
        assert order.state == "partially_received" and order.receipts.count() == 1


# --- events the rule pack reads ------------------------------------------------------------------------------


def test_a_new_recipe_version_announces_its_cost_change_and_margin(in_alpha):
    chain = build_hotpot_chain(outlets=1, prefix="EV")
    load_rule_pack("restaurant")
    beef = chain.items["HP-BEEF"]
    save_recipe(
        code=chain.dishes["D-BEEF"].recipe.code,
        name="精品肥牛",
        lines=[RecipeLineInput(item_id=beef.pk, quantity="300", unit="g")],
        dish_id=chain.dishes["D-BEEF"].pk,
    )
    event = DomainEvent.objects.filter(event_type="restaurant.dish_costed").latest("pk")
    assert event.payload["dish"]["cost_change_pct"] == "20.0"  # 250 g → 300 g of the same beef
    assert "菜品成本上涨 10%" in matched(event) and "菜品毛利率低于 55%" not in matched(event)


def test_the_day_ahead_job_announces_prep_lists_and_par_cover(in_alpha):
    chain = build_hotpot_chain(outlets=1, prefix="PA")
    load_rule_pack("restaurant")
    outlet = chain.outlets[0]
    saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
    assert planning.publish_prep_lists(saturday) == 1
    prep = DomainEvent.objects.get(event_type="restaurant.prep_list_built")
    assert prep.payload["calendar"]["is_weekend"] is True and prep.payload["outlet"]["code"] == outlet.code
    written = planning.check_par_levels(saturday)
    assert written == outlet.par_levels.count() > 0
    covers = {e.subject_id: e for e in DomainEvent.objects.filter(event_type="restaurant.par_checked")}
    greens = covers[chain.items["HP-GREENS"].pk]
    assert greens.payload["par"]["cover_pct"] == "400.0"  # the demo stocks 4 × par
    assert "Twice the par" in matched(greens)


def test_a_pos_batch_with_unknown_dishes_announces_the_review_queue(in_alpha):
    chain = build_hotpot_chain(outlets=1, prefix="PR")
    load_rule_pack("restaurant")
    now = timezone.now()
    clean = [TicketLineInput("A1", n, "D-TOFU", 1, now) for n in range(1, 4)]
    ingest_ticket_lines(chain.outlets[0].pk, clean)
    assert not DomainEvent.objects.filter(event_type="restaurant.pos_reviewed").exists()
    unknown = [TicketLineInput(f"B{n}", 1, "NOT-ON-MENU", 1, now) for n in range(25)]
    ingest_ticket_lines(chain.outlets[0].pk, unknown)
    event = DomainEvent.objects.get(event_type="restaurant.pos_reviewed")
    assert event.payload["pos"]["review_count"] == 25
    assert "POS 待处理超 20 行" in matched(event)


def test_a_solved_roster_announces_unmet_slots_and_each_persons_hours(in_alpha):
    from zoneinfo import ZoneInfo

    from verticals.restaurant.rostering import plan_week

    chain = build_hotpot_chain(outlets=1, prefix="RS")
    load_rule_pack("restaurant")
    outlet = chain.outlets[0]
    StaffMember.objects.create(outlet=outlet, name="独自", roles=["chef", "server", "manager"])
    monday = date(2026, 11, 30)
    at = timezone.datetime.combine(monday - timedelta(days=7), timezone.datetime.min.time(), ZoneInfo("Asia/Shanghai"))
    ingest_ticket_lines(outlet.pk, [TicketLineInput(f"T{t}", 1, "D-TOFU", 1, at.replace(hour=12)) for t in range(60)])
    schedule = plan_week([outlet.pk], monday, time_limit_s=3, actor="manager")
    roster = DomainEvent.objects.get(event_type="restaurant.schedule_solved", subject_type="restaurant_roster")
    assert roster.payload["schedule"]["unmet_slots"] == len(schedule.unmet) > 0
    assert "排班有未满足时段" in matched(roster)
    person = DomainEvent.objects.get(event_type="restaurant.schedule_solved", subject_type="restaurant_staff")
    assert person.payload["staff"]["weekly_hours"] == sum(shift.hours for shift in schedule.shifts)
    assert all(slot.reason and "skill" not in slot.reason for slot in schedule.unmet)  # zh-hans reasons


def test_variance_above_5_pct_opens_one_recount_that_each_item_joins(in_alpha):
    chain = build_hotpot_chain(outlets=1, prefix="VC")
    load_rule_pack("restaurant")
    outlet, beef, tripe = chain.outlets[0], chain.items["HP-BEEF"], chain.items["HP-TRIPE"]
    now = timezone.now()
    ingest_ticket_lines(outlet.pk, [TicketLineInput(f"V{n}", 1, "D-BEEF", 4, now) for n in range(10)])
    ingest_ticket_lines(outlet.pk, [TicketLineInput(f"W{n}", 1, "D-TRIPE", 5, now) for n in range(10)])
    count = counts.create_cycle_count(location=outlet.stock_location, item_ids=[beef.pk, tripe.pk], actor="manager")
    counts.start_counting(count, actor="manager")
    books = {line.item_id: line for line in count.lines.all()}
    counts.record_count(books[beef.pk], counted_quantity=books[beef.pk].system_quantity - 1, actor="manager")
    counts.record_count(books[tripe.pk], counted_quantity=books[tripe.pk].system_quantity - 1, actor="manager")
    counts.complete_cycle_count(count, actor="manager")
    assert report_count_variance(outlet.pk, count.pk) == 2
    variances = list(DomainEvent.objects.filter(event_type="restaurant.variance_computed").order_by("pk"))
    for event in variances + variances:  # a redelivered event opens nothing twice
        evaluate_domain_event(event)
    recounts = CycleCount.objects.filter(notes__startswith=f"[restaurant-recount:{count.pk}]")
    assert recounts.count() == 1
    recount = recounts.get()
    assert recount.state == CycleCountState.DRAFT and {line.item_id for line in recount.lines.all()} == {beef.pk, tripe.pk}
