"""The approvals page: a submit vetoed through the purchase-order form shows up for the owner, who decides it there."""

from __future__ import annotations

import re

from django_tenants.utils import schema_context

from core.purchasing.models import PurchaseOrder
from core.rules.models import ApprovalRequest
from tenants.accounts.roles import Role
from tests.rules.approval_support import large_purchase, person
from tests.web.support import messages_in


def _token_for(html: str, request_pk: int) -> str:
    match = re.search(
        rf'name="token" value="([0-9a-f]+{request_pk})"><input type="hidden" name="request" value="{request_pk}"', html
    )
    assert match, "no decision form for the request"
    return match.group(1)


def _submit_through_the_form(info, client) -> tuple[PurchaseOrder, str]:
    po = large_purchase(info.schema)
    page = client.post(f"/purchase-orders/{po.pk}/submit/", follow=True)
    assert page.status_code == 200
    return po, page.content.decode()


def test_a_submit_vetoed_through_the_form_waits_on_the_owners_approvals_page(alpha):
    # given
    clerk, clerk_email = person(alpha, Role.CLERK)

    # when
    po, after_submit = _submit_through_the_form(alpha, clerk)
    owner_page = alpha.client().get("/approvals/").content.decode()
    clerk_page = clerk.get("/approvals/").content.decode()

    # then: the clerk read who must approve (no internal code), the request survived the veto, and only
    # the owner's page offers it
    assert any("已提交审批" in message and "审批" in message for message in messages_in(after_submit))
    assert "TRANSITION_VETOED" not in after_submit
    assert 'id="approval-waiting"' in after_submit
    with schema_context(alpha.schema):
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"
        request = ApprovalRequest.objects.get(subject_id=str(po.pk), status="pending")
    assert request.requested_by == clerk_email
    assert f'href="/purchase-orders/{po.pk}/"' in owner_page and po.number in owner_page
    assert "60000.00" in owner_page and "大额采购需董事会审批" in owner_page and request.rule.name in owner_page
    assert po.number not in clerk_page


def test_the_owner_approves_on_the_page_once_even_when_the_button_is_pressed_twice(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _submit_through_the_form(alpha, clerk)
    owner = alpha.client()
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))
    form = {"token": _token_for(owner.get("/approvals/").content.decode(), request.pk), "request": request.pk}

    # when
    first = owner.post("/approvals/", {**form, "decision": "approve", "note": "同意"}, follow=True)
    second = owner.post("/approvals/", {**form, "decision": "approve", "note": "同意"}, follow=True)

    # then: decided once, the order moved on, and the double click raised no error
    assert not any("APPROVAL_ALREADY_DECIDED" in m for m in messages_in(first.content.decode()))
    assert messages_in(second.content.decode()) == []
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "approved"
    assert "同意" in second.content.decode()  # listed under recent decisions
    timeline = owner.get(f"/timeline/purchase_order/{po.pk}/").content.decode()
    assert "purchase_order.approval_granted" in timeline


def test_the_owner_rejects_on_the_page_and_the_order_stays_draft(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _submit_through_the_form(alpha, clerk)
    owner = alpha.client()
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))
    token = _token_for(owner.get("/approvals/").content.decode(), request.pk)

    # when
    owner.post("/approvals/", {"token": token, "request": request.pk, "decision": "reject", "note": "预算不足"})

    # then
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "rejected"
        assert PurchaseOrder.objects.get(pk=po.pk).state == "draft"


def test_a_clerk_posting_a_decision_on_an_owner_request_is_refused(alpha):
    # given
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _submit_through_the_form(alpha, clerk)
    with schema_context(alpha.schema):
        request = ApprovalRequest.objects.get(subject_id=str(po.pk))

    # when
    page = clerk.post("/approvals/", {"token": "ab12", "request": request.pk, "decision": "approve"}, follow=True)

    # then
    assert any("APPROVAL_ROLE_TOO_LOW" in m for m in messages_in(page.content.decode()))
    with schema_context(alpha.schema):
        assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"


def test_the_order_page_names_the_purchasing_manager_it_waits_for(alpha):
    # given an order whose submission waits for a rule approval addressed to managers
    clerk, _ = person(alpha, Role.CLERK)
    po, _ = _submit_through_the_form(alpha, clerk)
    with schema_context(alpha.schema):
        ApprovalRequest.objects.filter(subject_id=str(po.pk)).update(role="manager")

    # when the order page is opened
    page = alpha.client().get(f"/purchase-orders/{po.pk}/").content.decode()

    # then it says who it waits for, in the business's words
    assert "等待 采购经理 审批" in page
