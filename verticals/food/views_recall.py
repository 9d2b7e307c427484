"""Recall pages (phone-first): start a recall from a lot's label, see the trace and its timer, quarantine in
one click, download the report; trace a customer complaint back to the supplier lots."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.entitlements import can_write_module
from core.access import actor_label
from core.catalog.models import Item
from core.partners.models import Customer
from core.web.decorators import require
from core.web.views.common import ActionFailed, actor, domain_call, run_action
from tenants.accounts.roles import Permission
from verticals.food import recall as recalls
from verticals.food.models import Recall
from verticals.food.recall_report import recall_csv, recall_pdf

MODULE = "food"


class StartRecallForm(forms.Form):
    item_sku = forms.CharField(label=gettext_lazy("Item SKU"), max_length=80)
    lot_code = forms.CharField(label=gettext_lazy("Lot"), max_length=80)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintForm(forms.Form):
    customer = forms.ModelChoiceField(label=gettext_lazy("Customer"), queryset=Customer.objects.order_by("code"))
    item_sku = forms.CharField(label=gettext_lazy("Item SKU"), max_length=80)
    on = forms.DateField(
        label=gettext_lazy("Date of purchase"), initial=date.today, widget=forms.DateInput(attrs={"type": "date"})
    )


@require(Permission.VIEW, module=MODULE)
def recall_list(request: HttpRequest) -> HttpResponse:
    form = StartRecallForm(request.POST or None)
    writable = can_write_module(request.tenant, MODULE) and actor(request).can(Permission.MANAGE)  # type: ignore[attr-defined]
    if request.method == "POST" and writable and form.is_valid():
        try:
            with domain_call(request):
                lot = recalls.find_lot(form.cleaned_data["item_sku"], form.cleaned_data["lot_code"])
                recall, _trace = recalls.start_recall(lot, actor=actor_label(actor(request)), reason=form.cleaned_data["reason"])
        except ActionFailed:
            pass
        else:
            return HttpResponseRedirect(reverse("food:recall_detail", args=[recall.pk]))
    context = {"form": form, "recalls": Recall.objects.select_related("lot__item")[:50], "can_manage": writable}
    return render(request, "food/recalls.html", context)


@require(Permission.VIEW, module=MODULE)
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recall = get_object_or_404(Recall.objects.select_related("lot__item"), pk=pk)
    writable = can_write_module(request.tenant, MODULE) and actor(request).can(Permission.MANAGE)  # type: ignore[attr-defined]
    if request.method == "POST" and writable:
        run_action(
            request,
            lambda: recalls.quarantine(recall, actor=actor_label(actor(request))),
            _("The recalled lots are on hold: they can no longer be picked."),
        )
        return HttpResponseRedirect(reverse("food:recall_detail", args=[recall.pk]))
    trace = recalls.trace_forward(recall.lot)
    context = {"recall": recall, "trace": trace, "can_manage": writable}
    return render(request, "food/recall_detail.html", context)


@require(Permission.VIEW, module=MODULE)
def recall_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "pdf"):
        raise Http404(fmt)
    recall = get_object_or_404(Recall.objects.select_related("lot__item"), pk=pk)
    trace = recalls.trace_forward(recall.lot)
    if fmt == "pdf":
        response = HttpResponse(recall_pdf(recall, trace), content_type="application/pdf")
    else:
        response = HttpResponse("\ufeff" + recall_csv(recall, trace), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recall-{recall.pk}.{fmt}"'
    return response


@require(Permission.VIEW, module=MODULE)
def complaint_trace(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.GET or None)
    trace = None
    if request.GET and form.is_valid():
        item = Item.objects.filter(sku=form.cleaned_data["item_sku"].strip()).first()
        if item is None:
            form.add_error("item_sku", _("No item with this SKU."))
        else:
            try:
                with domain_call(request):
                    trace = recalls.trace_complaint(form.cleaned_data["customer"].pk, item.pk, form.cleaned_data["on"])
            except ActionFailed:
                pass
    return render(request, "food/complaint_trace.html", {"form": form, "trace": trace})
