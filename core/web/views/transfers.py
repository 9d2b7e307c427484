"""Transfer pages: list, create, ship (carrier, ETA) into transit, receive per line with discrepancies."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.logistics import selectors
from core.logistics.models import DiscrepancyReason, TransferOrder
from core.logistics.models import TransferState as T
from core.logistics.services import (
    ReceivedLineInput,
    TransferLineInput,
    cancel_transfer,
    close_transfer,
    create_transfer,
    receive_transfer,
    ship_transfer,
)
from core.web.decorators import require
from core.web.forms import OrderLineFormSet, ShipForm, TransferForm, decimal_or_none, filled_lines
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

# Ship and receive carry input, so they have their own forms; these are the plain buttons.
ACTIONS = (
    DocumentAction("close", gettext_lazy("Close"), T.CLOSED, lambda t, who: close_transfer(t, actor=who)),
    DocumentAction("cancel", gettext_lazy("Cancel"), T.CANCELLED, lambda t, who: cancel_transfer(t, actor=who), danger=True),
)


@require(Permission.VIEW)
def transfer_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    queryset = selectors.transfers(states=[state] if state else None).select_related("from_location", "to_location")
    context = {
        "page": paginate(request, queryset),
        "states": state_choices(TransferOrder),
        "state": state,
        "query": query_without_page(request),
    }
    return render(request, "web/transfers/list.html", context)


@require(Permission.OPERATE)
def transfer_create(request: HttpRequest) -> HttpResponse:
    form = TransferForm(request.POST or None, initial={"token": new_form_token()})
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        entries = [TransferLineInput(item_id=line["item"].pk, quantity=line["quantity"]) for line in filled_lines(lines)]
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: create_transfer(
                from_location=form.cleaned_data["from_location"],
                to_location=form.cleaned_data["to_location"],
                lines=entries,
                actor=actor(request),
                notes=form.cleaned_data["notes"],
            ),
            lambda transfer: reverse("web:transfer_detail", args=[transfer.pk]),
            lambda transfer: _("Transfer %(number)s created.") % {"number": transfer.number},
        )
        if done is not None:
            return done
    return render(request, "web/transfers/form.html", {"form": form, "lines": lines})


@require(Permission.VIEW)
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(TransferOrder.objects.select_related("from_location", "to_location"), pk=pk)
    who = actor(request)
    context = {
        "transfer": transfer,
        "lines": transfer.lines.select_related("item", "lot", "discrepancy"),
        "actions": allowed_actions(transfer, ACTIONS, who),
        "can_ship": transfer.state == T.DRAFT and who.can(Permission.OPERATE),
        "can_receive": transfer.state == T.SHIPPED and who.can(Permission.OPERATE),
        "ship_form": ShipForm(),
        "reasons": DiscrepancyReason.choices,
    }
    return render(request, "web/transfers/detail.html", context)


@require_POST
@require(Permission.OPERATE)
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    transfer = get_object_or_404(TransferOrder, pk=pk)
    perform_action(request, transfer, ACTIONS, action)
    return HttpResponseRedirect(reverse("web:transfer_detail", args=[transfer.pk]))


@require_POST
@require(Permission.OPERATE)
def transfer_ship(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(TransferOrder, pk=pk)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(forms.ValidationError(form.errors)))
    else:
        run_action(request, lambda: ship_transfer(transfer, actor=actor(request), **form.cleaned_data), _("Shipped."))
    return HttpResponseRedirect(reverse("web:transfer_detail", args=[transfer.pk]))


@require_POST
@require(Permission.OPERATE)
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(TransferOrder, pk=pk)
    try:
        received = []
        for line in transfer.lines.order_by("pk"):
            quantity = decimal_or_none(request.POST.get(f"qty-{line.pk}"))
            if quantity is None:
                continue  # left blank: arrived in full
            received.append(
                ReceivedLineInput(
                    line_id=line.pk,
                    quantity=quantity,
                    reason=request.POST.get(f"reason-{line.pk}", ""),
                    note=request.POST.get(f"note-{line.pk}", "").strip(),
                )
            )
    except forms.ValidationError as error:
        messages.error(request, error_text(error))
    else:
        run_action(request, lambda: receive_transfer(transfer, actor=actor(request), received=received), _("Received."))
    return HttpResponseRedirect(reverse("web:transfer_detail", args=[transfer.pk]))
