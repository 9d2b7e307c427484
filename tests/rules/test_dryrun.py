"""Dry run: a draft replayed over real purchase-order history reports what it would have touched and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from core.events.models import DomainEvent
from core.purchasing.services import OrderLineInput, create_purchase_order, submit_purchase_order, update_purchasing_settings
from core.rules import services
from core.rules.dryrun import Draft, dry_run, find_conflicts
from core.rules.models import ApprovalRequest, RuleActionLog, RuleEvaluation, RuleNotification
from tests.documents.support import make_item, make_stock_location, make_supplier

LARGE = {"field": "purchase_order.total", "op": "gte", "value": 50000}


def _submitted_po(total: str):
    update_purchasing_settings(approval_threshold=Decimal("1000000"))
    po = create_purchase_order(
        supplier=make_supplier(),
        destination=make_stock_location(),
        lines=[OrderLineInput(item_id=make_item().pk, quantity=Decimal("10"), unit_price=Decimal(total) / 10)],
        actor="clerk@example.com",
    )
    return submit_purchase_order(po, actor="clerk@example.com")


def test_a_dry_run_reports_exactly_the_large_orders_of_the_window_and_their_money(in_alpha):
    # given
    big, bigger, _small, old = (_submitted_po(t) for t in ("60000", "80000.50", "1000", "90000"))
    DomainEvent.objects.filter(subject_type="purchase_order", subject_id=old.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=45)
    )
    draft = Draft("purchase_order.submitted", LARGE, [{"type": "require_approval", "role": "owner", "reason": "大额"}])

    # when
    report = dry_run(draft, days=30)

    # then
    assert report.evaluated == 3
    assert report.matched == 2
    assert {(d.subject_id, d.number) for d in report.documents} == {(str(big.pk), big.number), (str(bigger.pk), bigger.number)}
    assert report.money == Decimal("140000.50")
    assert len(report.actions) == 2 and all("审批" in text for text in report.actions)


def test_a_dry_run_of_a_saved_rule_writes_nothing(in_alpha):
    # given
    _submitted_po("70000")
    rule = services.create_rule(
        name="big po note",
        trigger="purchase_order.submitted",
        condition=LARGE,
        actions=[
            {"type": "notify", "role": "owner", "message": "大额采购"},
            {"type": "set_field", "field": "order.note", "value": "x"},
        ],
        active=False,
    )
    before = (RuleEvaluation.objects.count(), RuleActionLog.objects.count(), RuleNotification.objects.count())
    approvals = ApprovalRequest.objects.count()

    # when
    report = dry_run(rule, days=30)

    # then
    assert report.matched == 1
    assert (RuleEvaluation.objects.count(), RuleActionLog.objects.count(), RuleNotification.objects.count()) == before
    assert ApprovalRequest.objects.count() == approvals


def test_conflicting_set_field_and_block_against_approval_are_reported(in_alpha):
    # given
    services.create_rule(
        name="ship express",
        trigger="sales_order.confirmed",
        condition={"field": "order.total", "op": "gt", "value": 100},
        actions=[{"type": "set_field", "field": "order.shipping_method", "value": "express"}],
    )
    services.create_rule(
        name="only VIP",
        trigger="sales_order.confirmed",
        condition={"field": "customer.tier", "op": "eq", "value": "gold"},
        actions=[{"type": "block", "reason": "no"}],
    )
    draft = Draft(
        "sales_order.confirmed",
        {"all": [{"field": "customer.tier", "op": "eq", "value": "VIP"}, {"field": "order.total", "op": "gt", "value": 500}]},
        [
            {"type": "set_field", "field": "order.shipping_method", "value": "air_priority"},
            {"type": "require_approval", "role": "manager", "reason": ""},
        ],
    )

    # when
    conflicts = find_conflicts(draft)

    # then: the block rule pins another tier, so it cannot overlap; the shipping method one can
    assert [(c.rule_name, c.kind) for c in conflicts] == [("ship express", "set_field")]


def test_the_dry_run_query_answers_for_a_draft_in_plain_language(alpha):
    # given
    with schema_context(alpha.schema):
        po = _submitted_po("52000")
        services.create_rule(
            name="gql block big po",
            trigger="purchase_order.submitted",
            condition=LARGE,
            actions=[{"type": "block", "reason": "冻结"}],
            active=True,
        )
    # The block rule above is created after the submission, so the history exists; the draft asks for approval.
    query = """query($text: String!) { dryRunRule(text: $text, trigger: "purchase_order.submitted", days: 30) {
      evaluated matched money documents { number total } actions conflicts { ruleName kind } } }"""

    # when
    payload = {"query": query, "variables": {"text": "当采购金额>=50000时，需要经理审批"}}
    response = alpha.client().post("/graphql/", json.dumps(payload), content_type="application/json")

    # then
    body = response.json()
    assert "errors" not in body, body
    report = body["data"]["dryRunRule"]
    assert report["matched"] == 1 and Decimal(report["money"]) == Decimal("52000")
    assert report["documents"] == [{"number": po.number, "total": "52000.00"}]
    assert report["conflicts"] == [{"ruleName": "gql block big po", "kind": "verdict"}]
