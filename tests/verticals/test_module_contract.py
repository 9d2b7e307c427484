"""The module contract, proven with a fake vertical (tests/fake_vertical, module `testkit`, installed only by the
test settings): every declaration it makes is used by the core, which never imports it (import-linter)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from celery.beat import Scheduler
from django.db import connection
from django_tenants.utils import schema_context
from graphql import print_schema

from billing.models import EntitlementStatus
from core.celery import app
from core.events.pipeline import TransitionVetoed, transition
from core.events.webhooks import drain_outbox
from core.graphql.schema import schema
from core.inventory.factories import make_item, make_stock_location
from core.inventory.position import inventory_positions
from core.modules import registry
from core.rules.models import Rule, RulePackEntry
from core.tasks import dispatch_to_module_tenants
from tests.fake_vertical import declarations
from tests.fake_vertical.apps import TESTKIT_DEMAND_SPEC, TESTKIT_PACK
from tests.fake_vertical.documents import Crate
from tests.fake_vertical.tasks import tally_testkit_items
from tests.platform.test_schema_drift import product_schema_text
from tests.verticals.support import data, gql

CORE_JOBS = {
    "clear-expired-sessions",
    "events-process-outbox",
    "events-purge-outbox",
    "planning-nightly-forecast-replenishment",
    "billing-reconcile",
    "rules-scheduled",
    "rules-near-expiry-lots",
}


@pytest.fixture
def kit_alpha(alpha, module_status):
    """alpha with the test kit on trial (rolled back with the test)."""
    module_status(alpha, "testkit", EntitlementStatus.TRIALING)
    return alpha


@pytest.fixture
def crates(in_alpha) -> Iterator[type[Crate]]:
    """The kit's crate table in alpha's schema, made inside the test transaction (rolled back with it)."""
    with connection.schema_editor() as editor:
        editor.create_model(Crate)
    declarations.received_event_ids.clear()
    yield Crate
    declarations.received_event_ids.clear()


# --- periodic jobs --------------------------------------------------------------------------------


def test_beat_reads_the_kits_job_and_every_core_job_from_the_registry():
    # when: a real beat scheduler loads the app's schedule
    scheduler = Scheduler(app=app, lazy=True)
    scheduler.merge_inplace(app.conf.beat_schedule)

    # then
    kit = scheduler.schedule["testkit-tally"]
    assert kit.task == "core.tasks.dispatch_to_module_tenants"
    assert kit.args == ("testkit", tally_testkit_items.name)
    assert set(scheduler.schedule) >= CORE_JOBS
    assert app.conf.beat_schedule["billing-reconcile"]["task"] == "billing.tasks.reconcile_billing"
    assert "args" not in app.conf.beat_schedule["billing-reconcile"]  # a public-schema job, not dispatched


def test_the_kits_job_is_sent_only_to_tenants_entitled_to_the_kit(kit_alpha, beta, module_status, monkeypatch):
    # given: alpha has the kit on trial, beta never had it; a third tenant's kit is read-only (canceled)
    sent_to: list[str] = []
    monkeypatch.setattr(tally_testkit_items, "apply_async", lambda **_: sent_to.append(connection.schema_name))

    # when
    count = dispatch_to_module_tenants("testkit", tally_testkit_items.name)

    # then
    assert kit_alpha.schema in sent_to and beta.schema not in sent_to
    assert count == len(sent_to)

    # and once alpha's kit is read-only it gets no run either
    module_status(kit_alpha, "testkit", EntitlementStatus.READ_ONLY)
    sent_to.clear()
    dispatch_to_module_tenants("testkit", tally_testkit_items.name)
    assert kit_alpha.schema not in sent_to


# --- transition hooks and outbox consumers --------------------------------------------------------


def test_the_pipeline_runs_the_kits_hook_veto_and_stamp(crates):
    # given
    crate = crates.objects.create(label="")

    # when: sealed without a label
    with pytest.raises(TransitionVetoed) as vetoed:
        transition(crate, "sealed", actor="clerk@example.com")

    # then
    assert vetoed.value.reasons == ["testkit_unlabelled"]
    crate.refresh_from_db()
    assert crate.state == "draft" and crate.note == ""

    # when: labelled, then sealed
    crates.objects.filter(pk=crate.pk).update(label="A-1")
    crate.refresh_from_db()
    transition(crate, "sealed", actor="clerk@example.com")

    # then: the hook stamped the row the pipeline saved
    crate.refresh_from_db()
    assert crate.state == "sealed" and crate.note == declarations.CHECKED_NOTE


def test_a_drained_outbox_event_reaches_the_kits_consumer(crates):
    # given: a sealed crate, whose event waits in the outbox
    from core.events.models import DomainEvent

    crate = crates.objects.create(label="B-2")
    transition(crate, "sealed", actor="clerk@example.com")
    event = DomainEvent.objects.get(subject_type="testkit_crate", subject_id=str(crate.pk), event_type="testkit_crate.sealed")
    assert declarations.received_event_ids == []

    # when
    drain_outbox()

    # then
    assert declarations.received_event_ids == [event.pk]


# --- inventory position ---------------------------------------------------------------------------


def test_inventory_position_adds_the_kits_source(in_alpha):
    # given
    shelf = make_stock_location()
    kit_item, plain_item = make_item(sku="TESTKIT-BOLT"), make_item()

    # when
    positions = inventory_positions([(kit_item.pk, shelf.pk), (plain_item.pk, shelf.pk)])

    # then
    assert positions[(kit_item.pk, shelf.pk)] == declarations.PLEDGED
    assert positions[(plain_item.pk, shelf.pk)] == Decimal("0")


# --- GraphQL, pages and navigation ----------------------------------------------------------------


def test_the_schema_serves_the_kits_fields_but_the_checked_in_schema_leaves_them_out():
    live = print_schema(schema.graphql_schema)
    assert "testkitItemCount: Int!" in live and "testkitEcho(" in live
    assert "testkit" not in product_schema_text().lower()


def test_the_kits_query_and_mutation_answer_only_where_the_kit_is_enabled(alpha, module_status):
    client = alpha.client()
    refused = gql(client, "{ testkitItemCount }")
    assert refused.get("errors"), refused

    module_status(alpha, "testkit", EntitlementStatus.TRIALING)
    with schema_context(alpha.schema):
        make_item(sku="TESTKIT-NUT")
    assert data(client, "{ testkitItemCount }") == {"testkitItemCount": 1}
    echoed = data(client, 'mutation { testkitEcho(text: "你好") { echo errors { code } } }')
    assert echoed == {"testkitEcho": {"echo": "你好", "errors": []}}


def test_the_kits_page_and_nav_entry_show_on_a_tenant_host_once_enabled(alpha, module_status):
    client = alpha.client()
    assert client.get("/testkit/").status_code == 404

    module_status(alpha, "testkit", EntitlementStatus.TRIALING)
    page = client.get("/testkit/")
    assert page.status_code == 200 and page.content.decode() == "testkit items: 0"
    nav = client.get("/").context["nav_modules"]
    assert ("testkit:home", "测试套件") in next(entry for entry in nav if entry["code"] == "testkit")["entries"]


# --- rule packs -----------------------------------------------------------------------------------


def test_signup_loads_the_core_pack_and_the_pack_of_every_chosen_module(committed_tenant):
    # committed_tenant signed up with every module
    with schema_context(committed_tenant.schema):
        packs = set(RulePackEntry.objects.values_list("pack", flat=True))
        kit_rule = Rule.objects.get(pack_entry__key=TESTKIT_PACK[0]["key"])
    assert {"core", "food", "testkit"} <= packs
    assert kit_rule.module == "testkit" and not kit_rule.active


def test_enabling_the_kit_later_loads_its_pack_once(beta, module_status):
    # given: beta signed up without the kit
    with schema_context(beta.schema):
        assert not RulePackEntry.objects.filter(pack="testkit").exists()

    # when: enabled, disabled and enabled again
    module_status(beta, "testkit", EntitlementStatus.TRIALING)
    module_status(beta, "testkit", EntitlementStatus.DISABLED)
    module_status(beta, "testkit", EntitlementStatus.ACTIVE)

    # then
    with schema_context(beta.schema):
        assert list(RulePackEntry.objects.filter(pack="testkit").values_list("key", flat=True)) == [TESTKIT_PACK[0]["key"]]
        assert Rule.objects.filter(module="testkit").count() == 1


# --- model specs and onboarding -------------------------------------------------------------------


def test_the_kits_model_spec_is_found_and_chosen_for_its_tenants(beta, module_status):
    # a tenant whose only vertical is the kit fine-tunes the kit's demand model
    module_status(beta, "retail", EntitlementStatus.DISABLED)
    module_status(beta, "testkit", EntitlementStatus.TRIALING)
    assert registry.demand_spec(beta.tenant) == ("testkit", TESTKIT_DEMAND_SPEC)
    assert registry.model_spec("testkit", "demand") is TESTKIT_DEMAND_SPEC
    assert registry.model_spec("testkit", "loss") is None
    assert registry.model_spec_for_modules(["core", "testkit"]) == ("testkit", TESTKIT_DEMAND_SPEC)
    chosen = registry.model_spec_for_modules(["core"])
    assert chosen is None or chosen[0] != "testkit"


def test_onboarding_lists_the_core_steps_and_the_kits_step_once_enabled(alpha, module_status):
    with schema_context(alpha.schema):
        without = [progress.step.key for progress in registry.onboarding_steps(alpha.tenant)]
    assert without[:6] == ["units", "locations", "suppliers", "items", "opening_stock", "sales_history"]
    assert "testkit_items" not in without

    module_status(alpha, "testkit", EntitlementStatus.TRIALING)
    with schema_context(alpha.schema):
        before = {p.step.key: p for p in registry.onboarding_steps(alpha.tenant)}
        make_item(sku="TESTKIT-WASHER")
        after = {p.step.key: p.done for p in registry.onboarding_steps(alpha.tenant)}
    keys = list(before)
    assert keys.index("items") < keys.index("testkit_items") < keys.index("opening_stock")
    assert before["testkit_items"].module_code == "testkit" and not before["testkit_items"].done
    assert after["testkit_items"] and after["items"] and after["units"]
