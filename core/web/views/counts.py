"""Cycle count pages: create for a location, start, record counted quantities, complete, accuracy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.counts import selectors
from core.counts.models import AdjustmentReason, CycleCount
from core.counts.models import CycleCountState as C
from core.counts.services import (
    cancel_cycle_count,
    complete_cycle_count,
    create_cycle_count,
    record_count,
    start_counting,
)
from core.web.decorators import require
from core.web.forms import CountForm, decimal_or_none
from core.web.views.common import (
    ActionFailed,
    DocumentAction,
    actor,
    allowed_actions,
    create_once,
    domain_call,
    error_text,
    new_form_token,
    paginate,
    perform_action,
    query_without_page,
    state_choices,
)
from tenants.accounts.roles import Permission

ACTIONS = (
    DocumentAction("start", gettext_lazy("Start counting"), C.COUNTING, lambda c, who: start_counting(c, actor=who)),
    DocumentAction(
        "complete", gettext_lazy("Complete and post adjustments"), C.COMPLETED, lambda c, who: complete_cycle_count(c, actor=who)
    ),
    DocumentAction("cancel", gettext_lazy("Cancel"), C.CANCELLED, lambda c, who: cancel_cycle_count(c, actor=who), danger=True),
)


def _percent(value: object) -> str:
    return "" if value is None else f"{value * 100:.1f}%"  # type: ignore[operator]


@require(Permission.VIEW)
def count_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    queryset = selectors.cycle_counts(states=[state] if state else None).select_related("location")
    context = {
        "page": paginate(request, queryset),
        "states": state_choices(CycleCount),
        "state": state,
        "query": query_without_page(request),
        "accuracy": _percent(selectors.inventory_record_accuracy()),
        "form": CountForm(initial={"token": new_form_token()}),
    }
    return render(request, "web/counts/list.html", context)


@require_POST
@require(Permission.OPERATE)
def count_create(request: HttpRequest) -> HttpResponse:
    form = CountForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(forms.ValidationError(form.errors)))
        return HttpResponseRedirect(reverse("web:count_list"))
    data = form.cleaned_data
    done = create_once(
        request,
        data["token"],
        lambda: create_cycle_count(location=data["location"], actor=actor(request), notes=data["notes"]),
        lambda count: reverse("web:count_detail", args=[count.pk]),
    )
    return done or HttpResponseRedirect(reverse("web:count_list"))


@require(Permission.VIEW)
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(CycleCount.objects.select_related("location"), pk=pk)
    who = actor(request)
    lines = list(count.lines.select_related("item", "lot"))
    context = {
        "count": count,
        "lines": lines,
        "actions": allowed_actions(count, ACTIONS, who),
        "can_record": count.state == C.COUNTING and who.can(Permission.OPERATE),
        "reasons": AdjustmentReason.choices,
        "accuracy": _percent(selectors.inventory_record_accuracy(count)) if count.state == C.COMPLETED else "",
    }
    return render(request, "web/counts/detail.html", context)


@require_POST
@require(Permission.OPERATE)
def count_record(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(CycleCount, pk=pk)
    recorded = 0
    try:
        with domain_call(request):
            for line in count.lines.order_by("pk"):
                quantity = decimal_or_none(request.POST.get(f"counted-{line.pk}"))
                if quantity is None:
                    continue
                # recording again overwrites, so a double submit leaves the same counts
                record_count(line, quantity, actor=actor(request), reason=request.POST.get(f"reason-{line.pk}", ""))
                recorded += 1
    except ActionFailed:
        pass
    else:
        messages.success(request, _("%(n)d line(s) recorded.") % {"n": recorded})
    return HttpResponseRedirect(reverse("web:count_detail", args=[count.pk]))


@require_POST
@require(Permission.OPERATE)
def count_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    count = get_object_or_404(CycleCount, pk=pk)
    perform_action(request, count, ACTIONS, action)
    return HttpResponseRedirect(reverse("web:count_detail", args=[count.pk]))
