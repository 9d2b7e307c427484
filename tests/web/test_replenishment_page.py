"""The replenishment page: open proposals with their figures, run, approve or reject a selection into draft orders,
double submits, roles, another tenant's proposals, and the safety-stock adjustments rules made (also over GraphQL)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal as D

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from core.inventory.factories import make_item, receive
from core.partners.services import create_supplier
from core.planning.models import ProposalState, ReplenishmentProposal, ReplenishmentRun, SafetyStockAdjustment
from core.purchasing.models import PurchaseOrder
from core.rules.services import create_rule
from tenants.accounts.roles import Role
from tests.planning.factories import make_store_location, source_from, write_forecast
from tests.web.support import client_with_role, form_token, messages_in


def _below_reorder_point(schema: str, code: str):
    """A store holding 5 of an item that sells 10 a day, bought from a supplier with a 3-day lead time."""
    with schema_context(schema):
        item = make_item()
        store = make_store_location()
        receive(item, store, 5)
        write_forecast(item, store, timezone.localdate(), 20, "8", "10", "12")
        source_from(item, store, supplier=create_supplier(code=code, name="华东乳业", declared_lead_time_days=3))
    return item, store


def _decide_token(html: str) -> str:
    """The decision form's token (the run button's form comes first)."""
    tokens = re.findall(r'name="token" value="([0-9a-f]+)"', html)
    assert len(tokens) == 2, tokens
    return tokens[1]


def _run(client) -> str:
    page = client.get("/replenishment/").content.decode()
    token = form_token(page)
    response = client.post("/replenishment/run/", {"token": token}, follow=True)
    assert response.status_code == 200
    return token


def _open_ids(schema: str, store) -> list[int]:
    with schema_context(schema):
        return list(
            ReplenishmentProposal.objects.filter(location=store, state=ProposalState.PROPOSED).values_list("pk", flat=True)
        )


def test_a_manager_runs_replenishment_and_approves_a_proposal_into_a_draft_order(alpha):
    # given
    item, store = _below_reorder_point(alpha.schema, "SUP-WEB-1")
    client = alpha.client()

    # when: run from the page, twice with the same form (a double submit)
    page = client.get("/replenishment/").content.decode()
    token = form_token(page)
    first = client.post("/replenishment/run/", {"token": token}, follow=True).content.decode()
    client.post("/replenishment/run/", {"token": token})

    # then: one run, one proposal shown with its figures and reason
    with schema_context(alpha.schema):
        assert ReplenishmentRun.objects.filter(run_key=f"web:{token}").count() == 1
        proposal = ReplenishmentProposal.objects.get(location=store)
    assert item.sku in first and "再订货点" in first and "position 5" in first
    assert any("新增 1 条建议" in m for m in messages_in(first))
    dashboard = client.get("/").content.decode()
    assert "待处理的补货建议" in dashboard and "/replenishment/?state=proposed" in dashboard

    # when: approve it, and post the same decision form again
    decide = {"token": _decide_token(first), "decision": "approve", "proposal": [proposal.pk]}
    approved = client.post("/replenishment/decide/", decide, follow=True).content.decode()
    client.post("/replenishment/decide/", decide)

    # then: one draft purchase order for the store, linked from the page's recent decisions
    with schema_context(alpha.schema):
        proposal.refresh_from_db()
        [po] = PurchaseOrder.objects.filter(destination=store)
        assert proposal.state == ProposalState.ORDERED and proposal.document_id == po.pk
        assert po.state == "draft" and po.lines.get().quantity == proposal.quantity
    assert f"/purchase-orders/{po.pk}/" in approved
    assert any("草稿采购订单" in m for m in messages_in(approved))


def test_rejecting_keeps_the_reason_and_a_decided_proposal_cannot_be_decided_again(alpha):
    # given
    _, store = _below_reorder_point(alpha.schema, "SUP-WEB-2")
    client = alpha.client()
    _run(client)
    [pk] = _open_ids(alpha.schema, store)

    # when: reject it, then try to approve it from a stale page (a new form token)
    page = client.get("/replenishment/").content.decode()
    client.post(
        "/replenishment/decide/", {"token": _decide_token(page), "decision": "reject", "proposal": [pk], "reason": "促销结束"}
    )
    stale = client.post(
        "/replenishment/decide/", {"token": "f" * 32, "decision": "approve", "proposal": [pk]}, follow=True
    ).content.decode()

    # then: rejected with the reason, no order, and the second decision is refused in words
    with schema_context(alpha.schema):
        proposal = ReplenishmentProposal.objects.get(pk=pk)
        assert proposal.state == ProposalState.REJECTED and "促销结束" in proposal.reason
        assert not PurchaseOrder.objects.filter(destination=store).exists()
    assert any("已被处理" in m and "PROPOSAL_NOT_OPEN" in m for m in messages_in(stale))


def _skip_ids_past(schema: str, other_schema: str) -> None:
    """Move `schema`'s proposal ids past every id in `other_schema`, so an id of one is unknown to the other."""
    with schema_context(other_schema):
        highest = ReplenishmentProposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    table = ReplenishmentProposal._meta.db_table
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, highest + 1000])


def test_nothing_chosen_or_another_tenants_proposal_changes_nothing(alpha, beta):
    # given: an open proposal in alpha, and one in beta whose id alpha does not have
    _, store = _below_reorder_point(alpha.schema, "SUP-WEB-3")
    client = alpha.client()
    _run(client)
    [alpha_pk] = _open_ids(alpha.schema, store)
    _skip_ids_past(beta.schema, alpha.schema)
    _, beta_store = _below_reorder_point(beta.schema, "SUP-WEB-B")
    _run(beta.client())
    [beta_pk] = _open_ids(beta.schema, beta_store)

    # when: alpha's manager posts nothing, then beta's id together with alpha's own
    empty = client.post("/replenishment/decide/", {"token": "a" * 32, "decision": "approve"}, follow=True).content.decode()
    mixed = client.post(
        "/replenishment/decide/", {"token": "b" * 32, "decision": "approve", "proposal": [alpha_pk, beta_pk]}, follow=True
    ).content.decode()

    # then: both refused in words; alpha's proposal is still open (all or nothing) and beta's is untouched
    assert any("至少选择一条" in m for m in messages_in(empty))
    assert any("不存在" in m and "UNKNOWN_PROPOSAL" in m for m in messages_in(mixed))
    assert _open_ids(alpha.schema, store) == [alpha_pk]
    assert _open_ids(beta.schema, beta_store) == [beta_pk]
    with schema_context(alpha.schema):
        assert not PurchaseOrder.objects.filter(destination=store).exists()


def test_a_viewer_sees_the_proposals_but_cannot_run_or_decide(alpha):
    # given
    item, store = _below_reorder_point(alpha.schema, "SUP-WEB-4")
    _run(alpha.client())
    [pk] = _open_ids(alpha.schema, store)
    viewer = client_with_role(alpha, Role.VIEWER)

    # when
    page = viewer.get("/replenishment/")
    run = viewer.post("/replenishment/run/", {"token": "c" * 32})
    decide = viewer.post("/replenishment/decide/", {"token": "d" * 32, "decision": "approve", "proposal": [pk]})

    # then: the page reads without the buttons; both posts are forbidden and nothing changed
    html = page.content.decode()
    assert page.status_code == 200 and item.sku in html
    assert "/replenishment/run/" not in html and 'name="proposal"' not in html
    assert run.status_code == 403 and decide.status_code == 403
    assert _open_ids(alpha.schema, store) == [pk]
    assert alpha.client().get("/replenishment/run/").status_code == 405


def test_the_page_lists_the_safety_stock_adjustments_a_rule_made_and_graphql_returns_them(alpha):
    # given: one adjustment from a rule in force now, one coming, one ended
    today = timezone.localdate()
    with schema_context(alpha.schema):
        rule = create_rule(
            name=f"雨天叶菜加量-{uuid.uuid4().hex[:6]}",
            trigger="sales_order.confirmed",
            condition={"field": "order.total", "op": "gt", "value": 50000},
            actions=[{"type": "block", "reason": "复核"}],
        )
        version = rule.versions.get()
        for starts, ends, percent in ((0, 1, "15"), (3, 4, "-10"), (-5, -4, "20")):
            SafetyStockAdjustment.objects.create(
                category_name="叶菜",
                percent=D(percent),
                starts_on=today + timedelta(days=starts),
                ends_on=today + timedelta(days=ends),
                rule_version_id=version.pk if percent == "15" else None,
                reason="rain",
            )
    client = alpha.client()

    # when
    zh = client.get("/replenishment/").content.decode()
    en = client.get("/replenishment/?lang=en").content.decode()
    query = (
        "query($from: Date) { safetyStockAdjustments(first: 10, inForceFrom: $from) "
        "{ totalCount edges { node { percent startsOn ruleVersionId } } } }"
    )
    body = client.post(
        "/graphql/", json.dumps({"query": query, "variables": {"from": today.isoformat()}}), content_type="application/json"
    ).json()

    # then: the current and the coming one, the rule named and linked; the ended one is gone
    assert "生效中" in zh and "即将生效" in zh and "+15%" in zh and "-10%" in zh and "+20%" not in zh
    assert rule.name in zh and f"/rules/{rule.pk}/" in zh
    assert "Safety-stock adjustments in force or coming" in en and "Replenishment" in en
    found = body["data"]["safetyStockAdjustments"]
    assert found["totalCount"] == 2
    assert [e["node"]["percent"] for e in found["edges"]] == ["-10.00", "15.00"]
    assert found["edges"][1]["node"]["ruleVersionId"] == version.pk
