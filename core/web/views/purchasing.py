"""Purchase order pages: list by state, create, detail with the actions its state allows, goods receipt."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.purchasing import selectors
from core.purchasing.models import RECEIVABLE_STATES, PurchaseOrder
from core.purchasing.models import PurchaseOrderState as S
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    approve_purchase_order,
    cancel_purchase_order,
    close_purchase_order,
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
)
from core.web.decorators import require
from core.web.forms import OrderLineFormSet, PurchaseOrderForm, decimal_or_none, filled_lines
from core.web.money import company_currency
from core.web.views.common import (
    DocumentAction,
    actor,
    allowed_actions,
    create_once,
    error_text,
    new_form_token,
    paginate,
    perform_action,
    query_without_page,
    run_action,
    state_choices,
)
from tenants.accounts.roles import Permission

ACTIONS = (
    DocumentAction("submit", gettext_lazy("Submit"), S.SUBMITTED, lambda po, who: submit_purchase_order(po, actor=who)),
    DocumentAction(
        "approve",
        gettext_lazy("Approve"),
        S.APPROVED,
        lambda po, who: approve_purchase_order(po, actor=who),
        permission=Permission.MANAGE,
    ),
    DocumentAction("send", gettext_lazy("Send to supplier"), S.SENT, lambda po, who: send_purchase_order(po, actor=who)),
    DocumentAction("close", gettext_lazy("Close"), S.CLOSED, lambda po, who: close_purchase_order(po, actor=who)),
    DocumentAction(
        "cancel", gettext_lazy("Cancel"), S.CANCELLED, lambda po, who: cancel_purchase_order(po, actor=who), danger=True
    ),
)


@require(Permission.VIEW)
def po_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    queryset = selectors.purchase_orders(states=[state] if state else None).select_related("supplier", "destination")
    context = {
        "page": paginate(request, queryset),
        "states": state_choices(PurchaseOrder),
        "state": state,
        "query": query_without_page(request),
    }
    return render(request, "web/purchasing/list.html", context)


@require(Permission.OPERATE)
def po_create(request: HttpRequest) -> HttpResponse:
    form = PurchaseOrderForm(request.POST or None, initial={"token": new_form_token()})
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        entries = [
            OrderLineInput(item_id=line["item"].pk, quantity=line["quantity"], unit_price=line["unit_price"] or Decimal("0"))
            for line in filled_lines(lines)
        ]
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: create_purchase_order(
                supplier=form.cleaned_data["supplier"],
                destination=form.cleaned_data["destination"],
                lines=entries,
                actor=actor(request),
                currency=company_currency(),
                urgent=form.cleaned_data["urgent"],
                notes=form.cleaned_data["notes"],
            ),
            lambda po: reverse("web:po_detail", args=[po.pk]),
            lambda po: _("Purchase order %(number)s created.") % {"number": po.number},
        )
        if done is not None:
            return done
    return render(request, "web/purchasing/form.html", {"form": form, "lines": lines})


@require(Permission.VIEW)
def po_detail(request: HttpRequest, pk: int) -> HttpResponse:
    po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "destination"), pk=pk)
    context = {
        "po": po,
        "lines": po.lines.select_related("item", "unit"),
        "receipts": po.receipts.prefetch_related("lines"),
        "actions": allowed_actions(po, ACTIONS, actor(request)),
        "can_receive": po.state in RECEIVABLE_STATES and actor(request).can(Permission.OPERATE),
        "token": new_form_token(),
    }
    return render(request, "web/purchasing/detail.html", context)


@require_POST
@require(Permission.OPERATE)
def po_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    po = get_object_or_404(PurchaseOrder, pk=pk)
    perform_action(request, po, ACTIONS, action)
    return HttpResponseRedirect(reverse("web:po_detail", args=[po.pk]))


def _receipt_lines(request: HttpRequest, po: PurchaseOrder) -> list[ReceiptLineInput]:
    entries = []
    date_field = forms.DateField(required=False)
    for line in po.lines.order_by("pk"):
        quantity = decimal_or_none(request.POST.get(f"qty-{line.pk}"))
        if quantity is None or quantity == 0:
            continue
        entries.append(
            ReceiptLineInput(
                order_line_id=line.pk,
                quantity=quantity,
                lot_code=request.POST.get(f"lot-{line.pk}", "").strip(),
                expiry_date=date_field.clean(request.POST.get(f"expiry-{line.pk}", "")),
            )
        )
    return entries


@require_POST
@require(Permission.OPERATE)
def po_receive(request: HttpRequest, pk: int) -> HttpResponse:
    po = get_object_or_404(PurchaseOrder, pk=pk)
    token = request.POST.get("token", "")
    try:
        entries = _receipt_lines(request, po)
    except forms.ValidationError as error:
        messages.error(request, error_text(error))
        return HttpResponseRedirect(reverse("web:po_detail", args=[po.pk]))
    if not token:
        messages.error(request, _("The form is missing its token; reload the page and try again."))
        return HttpResponseRedirect(reverse("web:po_detail", args=[po.pk]))
    # The form token is the receipt reference: the service posts a reference once, so a double submit
    # (or a retry after a timeout) returns the first receipt instead of receiving the goods twice.
    run_action(
        request,
        lambda: receive_purchase_order(po, entries, actor=actor(request), reference=f"web-{token}"),
        _("Goods received."),
    )
    return HttpResponseRedirect(reverse("web:po_detail", args=[po.pk]))
