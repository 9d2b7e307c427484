"""The approvals flow on real purchase orders: a vetoed submit leaves a request that survives, and deciding it moves on.

The core pack's board rule (a purchase of 50,000 or more needs the owner) vetoes the submit; the request must
outlive the veto's rollback, be decided only by a role at least the request's, and an approval retries the submit.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.errors import running_follow_ups
from core.events.models import DomainEvent
from core.events.pipeline import TransitionVetoed, transition
from core.events.timeline import order_timeline
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import submit_purchase_order
from core.rules import services
from core.rules.models import ApprovalRequest, RuleEvaluation, RuleNotification
from tenants.accounts.roles import Role
from tests.rules.approval_support import DECIDE, SUBMIT, gql, large_purchase, person


def _vetoed_submit(info, client) -> tuple[PurchaseOrder, dict]:
    po = large_purchase(info.schema)
    result = gql(client, SUBMIT, id=str(po.pk))["submitPurchaseOrder"]
    return po, result


def test_a_vetoed_submit_through_graphql_leaves_a_pending_request_with_the_transition(alpha):
    # given
    clerk, clerk_email = person(alpha, Role.CLERK)

    # when
    po, result = _vetoed_submit(alpha, clerk)

    # then: the order stays draft, and the request outlived the veto's rollback
    assert [e["code"] for e in result["errors"]] == ["TRANSITION_VETOED"]
    assert "大额采购需董事会审批" in result["errors"][0]["message"]
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
        request = ApprovalRequest.objects.get(subject_type="purchase_order", subject_id=str(po.pk))
        assert (request.status, request.role) == ("pending", "owner")
        assert (request.from_state, request.to_state, request.requested_by) == ("draft", "submitted", clerk_email)
        assert not DomainEvent.objects.filter(subject_id=po.pk, event_type="purchase_order.submitted").exists()
        # and the evaluation that vetoed it is in the audit log, although the transition rolled back
        audit = RuleEvaluation.objects.filter(subject_type="purchase_order", subject_id=str(po.pk), matched=True)
        assert audit.filter(event_type="purchase_order.submitted").count() == 1


def test_resubmitting_while_pending_opens_no_second_request(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)

    # when
    again = gql(clerk, SUBMIT, id=str(po.pk))["submitPurchaseOrder"]

    # then
    assert [e["code"] for e in again["errors"]] == ["TRANSITION_VETOED"]
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.filter(subject_id=str(po.pk)).count() == 1


def test_a_clerk_cannot_decide_an_owner_request(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    manager, _ = person(alpha, Role.MANAGER)
    po, _ = _vetoed_submit(alpha, clerk)
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))

    # when
    by_clerk = gql(clerk, DECIDE, id=str(request.pk), approve=True)["decideApproval"]
    by_manager = gql(manager, DECIDE, id=str(request.pk), approve=True)["decideApproval"]

    # then
    assert [e["code"] for e in by_clerk["errors"]] == ["APPROVAL_ROLE_TOO_LOW"]
    assert [e["code"] for e in by_manager["errors"]] == ["APPROVAL_ROLE_TOO_LOW"]
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"


def test_the_owner_approves_and_the_order_goes_on_to_approved_with_all_on_its_timeline(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)
    owner = alpha.client()
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))

    # when
    decided = gql(owner, DECIDE, id=str(request.pk), approve=True, note="董事会已同意")["decideApproval"]

    # then
    assert decided["errors"] == [] and decided["retried"] is True and decided["retryError"] is None
    assert decided["approvalRequest"]["status"] == "APPROVED"
    assert decided["approvalRequest"]["decidedBy"] == alpha.owner_email
    # the rule's approval is the order's approval: nobody approves it a second time
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "approved"
        events = [(e.event_type, e.actor) for e in order_timeline("purchase_order", po.pk).events]
    assert ("purchase_order.approval_granted", alpha.owner_email) in events
    assert ("purchase_order.submitted", alpha.owner_email) in events
    assert ("purchase_order.approved", alpha.owner_email) in events
    assert [t for t, _ in events].index("purchase_order.approval_granted") < [t for t, _ in events].index(
        "purchase_order.submitted"
    )


def test_a_rejection_keeps_the_order_draft_and_tells_the_requester(alpha):
    # given
    clerk, clerk_email = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))

    # when
    decided = gql(alpha.client(), DECIDE, id=str(request.pk), approve=False, note="预算不足")["decideApproval"]

    # then
    assert decided["errors"] == [] and decided["retried"] is False
    assert decided["approvalRequest"]["status"] == "REJECTED"
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
        rejected = DomainEvent.objects.get(subject_id=po.pk, event_type="purchase_order.approval_rejected")
        assert rejected.payload["note"] == "预算不足" and rejected.actor == alpha.owner_email
        note = RuleNotification.objects.get(subject_type="purchase_order", subject_id=str(po.pk))
        assert note.channel == f"user:{clerk_email}"
        assert po.number in note.message and "预算不足" in note.message


def test_deciding_twice_is_a_clear_error(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)
    owner = alpha.client()
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))
    gql(owner, DECIDE, id=str(request.pk), approve=True)

    # when
    twice = gql(owner, DECIDE, id=str(request.pk), approve=False)["decideApproval"]

    # then
    assert [e["code"] for e in twice["errors"]] == ["APPROVAL_ALREADY_DECIDED"]
    assert "already approved" in twice["errors"][0]["message"]
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "approved"


def test_beta_cannot_decide_alphas_request_by_id(alpha, beta):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))
    with schema_context(beta.schema):
        assert not ApprovalRequest.objects.filter(pk=request.pk).exists()

    # when
    tried = gql(beta.client(), DECIDE, id=str(request.pk), approve=True)["decideApproval"]
    listed = gql(beta.client(), "{ approvalRequests(first: 50) { totalCount } }")["approvalRequests"]

    # then
    assert [e["code"] for e in tried["errors"]] == ["APPROVAL_NOT_FOUND"]
    assert listed["totalCount"] == 0
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"


def test_when_another_rule_still_vetoes_the_retry_the_approval_stays_and_the_error_is_shown(alpha):
    # given: a second approval rule (a manager's) on the same submit
    clerk, _ = person(alpha, Role.CLERK)
    with schema_context(alpha.schema):
        services.create_rule(
            name="经理复核", trigger="purchase_order.submitted", text='当采购金额>=10000时，需要经理审批："经理复核"'
        )
    po, _ = _vetoed_submit(alpha, clerk)
    with schema_context(alpha.schema):
        board = ApprovalRequest.objects.get(subject_id=str(po.pk), role="owner")
        assert ApprovalRequest.objects.filter(subject_id=str(po.pk), role="manager", status="pending").exists()

    # when
    decided = gql(alpha.client(), DECIDE, id=str(board.pk), approve=True)["decideApproval"]

    # then
    assert decided["errors"] == [] and decided["retried"] is False
    assert decided["retryError"]["code"] == "TRANSITION_VETOED" and "经理复核" in decided["retryError"]["message"]
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=board.pk).status == "approved"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
        assert ApprovalRequest.objects.filter(subject_id=str(po.pk), status="pending").count() == 1


def test_the_connection_lists_pending_requests_with_document_and_amount(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _vetoed_submit(alpha, clerk)
    query = """{ approvalRequests(status: PENDING, mine: true, first: 10) {
      totalCount edges { node { id ruleName documentNumber amount reason role fromState toState } } } }"""

    # when
    as_owner = gql(alpha.client(), query)["approvalRequests"]
    as_clerk = gql(clerk, query)["approvalRequests"]

    # then: the owner sees the board request; a clerk's role decides none of it
    nodes = [edge["node"] for edge in as_owner["edges"] if edge["node"]["documentNumber"] == po.number]
    assert len(nodes) == 1
    assert nodes[0]["amount"] == "60000.00" and nodes[0]["reason"] == "大额采购需董事会审批"
    assert (nodes[0]["fromState"], nodes[0]["toState"], nodes[0]["role"]) == ("draft", "submitted", "owner")
    assert as_clerk["totalCount"] == 0


def _committed_requests(schema: str, po_pk: int) -> list[tuple[str, str]]:
    """Read through a second connection: only committed rows are visible there."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    ) as other:
        rows = other.execute(
            f'SELECT status, to_state FROM "{schema}".rules_approvalrequest WHERE subject_id = %s', [str(po_pk)]
        ).fetchall()
    return [tuple(row) for row in rows]


def test_the_request_is_committed_on_every_path_outside_a_test_transaction(committed_tenant):
    # given: a real (committed) tenant, no test transaction around anything
    info = committed_tenant
    clerk, _ = person(info, Role.CLERK)
    via_graphql = large_purchase(info.schema)
    via_transition = large_purchase(info.schema)
    via_service = large_purchase(info.schema)
    via_web = large_purchase(info.schema)

    # when: the GraphQL edge, the web form, a bare transition() with no outer atomic, a service caller with the helper
    gql(clerk, SUBMIT, id=str(via_graphql.pk))
    assert clerk.post(f"/purchase-orders/{via_web.pk}/submit/").status_code == 302
    with schema_context(info.schema):
        with pytest.raises(TransitionVetoed):
            transition(via_transition, "submitted", actor="buyer@example.com")
        with pytest.raises(TransitionVetoed), running_follow_ups():
            submit_purchase_order(via_service, actor="buyer@example.com")

    # then
    for po in (via_graphql, via_web, via_transition, via_service):
        assert _committed_requests(info.schema, po.pk) == [("pending", "submitted")]


def test_a_page_of_requests_costs_the_same_queries_however_many_documents_it_shows(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    owner = alpha.client()
    query = "{ approvalRequests(status: PENDING, first: 20) { edges { node { ruleName documentNumber amount } } } }"
    _vetoed_submit(alpha, clerk)
    with CaptureQueriesContext(connection) as one:
        gql(owner, query)

    # when
    for _ in range(3):
        _vetoed_submit(alpha, clerk)
    with CaptureQueriesContext(connection) as four:
        listed = gql(owner, query)["approvalRequests"]["edges"]

    # then: the rule is joined and the documents load in one query per document type
    assert len(listed) == 4 and all(edge["node"]["documentNumber"] for edge in listed)
    assert len(four.captured_queries) == len(one.captured_queries)
