"""The order timeline page: why a document waits (and for how long) on top, then one bar per step."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.events.timeline import document_model, order_timeline
from core.web.decorators import require
from tenants.accounts.roles import Permission

DETAIL_PAGES = {
    "purchase_order": "web:po_detail",
    "sales_order": "web:so_detail",
    "transfer": "web:transfer_detail",
    "cycle_count": "web:count_detail",
}


def document_url(subject_type: str | None, pk: int | None) -> str:
    """The detail page of a document (purchase order, sales order, transfer, count); "" for anything else."""
    detail = DETAIL_PAGES.get(subject_type or "")
    return reverse(detail, args=[pk]) if detail and pk is not None else ""


@require(Permission.VIEW)
def timeline(request: HttpRequest, subject_type: str, pk: int) -> HttpResponse:
    model = document_model(subject_type)
    if model is None:
        raise Http404("Unknown document type.")
    document = model._default_manager.filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    data = order_timeline(subject_type, pk)
    longest = max((step.duration.total_seconds() for step in data.steps), default=0) or 1
    # bar width in percent of the longest step, at least a sliver so every step stays visible
    bars = [{"step": step, "width": max(2.0, round(step.duration.total_seconds() / longest * 100, 1))} for step in data.steps]
    context = {
        "document": document,
        "timeline": data,
        "bars": bars,
        "detail_url": document_url(subject_type, pk),
    }
    return render(request, "web/timeline/timeline.html", context)
