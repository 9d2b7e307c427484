"""Food pages: cold chain (sensors, readings, excursions); recalls (start from a lot's label, the trace with
its timer, one-click quarantine, CSV/PDF report; trace a complaint back to supplier lots); deviation
investigations (the open ones with their held lots, the owner's decision). Phone-first layouts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.entitlements import can_write_module
from core.access import actor_label
from core.catalog.models import Item
from core.locations.models import Location, LocationKind
from core.partners.models import Customer
from core.web.decorators import require
from core.web.views.common import ActionFailed, actor, create_once, domain_call, new_form_token, paginate, run_action
from tenants.accounts.roles import Permission
from verticals.food import deviations, picking, selectors, services
from verticals.food import recall as recalls
from verticals.food.exceptions import ReadingsRejected
from verticals.food.forms import ReadingsUploadForm, SensorForm
from verticals.food.imports import COLUMN_OF_FIELD, HEADER_LINES, BadExport, readings_from_csv
from verticals.food.models import ColdChainSensor, Deviation, DeviationState, Recall
from verticals.food.recall_report import recall_csv, recall_pdf

MODULE = "food"
HISTORY = timedelta(days=30)
RECENT_READINGS = 50


@require(Permission.VIEW, module=MODULE)
def cold_chain(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = paginate(request, selectors.sensors())
    sensor_ids = [sensor.pk for sensor in page]
    latest = selectors.latest_readings(sensor_ids)
    # every open excursion, not only this page's: the alarm list must not hide behind paging
    open_all = selectors.open_excursions()
    open_by_sensor = {excursion.sensor_id: excursion for excursion in open_all}
    rows = [(sensor, latest.get(sensor.pk), open_by_sensor.get(sensor.pk)) for sensor in page]
    codes = dict(ColdChainSensor.objects.filter(pk__in=[e.sensor_id for e in open_all]).values_list("pk", "code"))
    alarms = [(codes[e.sensor_id], e) for e in open_all]
    context = {
        "page": page,
        "rows": rows,
        "alarms": alarms,
        "now": now,
    }
    # a read-only module (subscription ended) still shows its data, without the buttons that write
    writable = can_write_module(request.tenant, MODULE)  # type: ignore[attr-defined]
    context["can_manage"] = writable and actor(request).can(Permission.MANAGE)
    context["can_upload"] = writable and actor(request).can(Permission.OPERATE)
    return render(request, "food/cold_chain.html", context)


@require(Permission.VIEW, module=MODULE)
def sensor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sensor = get_object_or_404(selectors.sensors(), pk=pk)
    now = timezone.now()
    context = {
        "sensor": sensor,
        "now": now,
        "excursions": selectors.excursions(since=now - HISTORY, sensor_id=sensor.pk),
        "readings": selectors.readings(sensor.pk)[:RECENT_READINGS],
        "history_days": HISTORY.days,
    }
    return render(request, "food/sensor_detail.html", context)


@require(Permission.MANAGE, module=MODULE)
def sensor_create(request: HttpRequest) -> HttpResponse:
    form = SensorForm(request.POST or None, initial={"token": new_form_token()})
    if request.method == "POST" and form.is_valid():
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: services.create_sensor(**form.service_fields()),
            lambda sensor: reverse("food:sensor_detail", args=[sensor.pk]),
        )
        if done is not None:
            return done
    return render(request, "food/sensor_form.html", {"form": form})


@require(Permission.OPERATE, module=MODULE)
def readings_upload(request: HttpRequest) -> HttpResponse:
    """A logger's CSV export: all rows stored, or none and every bad row listed with its line."""
    form = ReadingsUploadForm(request.POST or None, request.FILES or None)
    bad_rows: list[tuple[int, str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            readings = readings_from_csv(form.cleaned_data["export"])
        except BadExport as error:
            form.add_error("export", str(error))
            return render(request, "food/readings_upload.html", {"form": form, "bad_rows": bad_rows})
        try:
            with domain_call(request):  # queues the refusal's summary as a message
                result = services.record_readings(readings)
        except ActionFailed as failed:
            if isinstance(failed.__cause__, ReadingsRejected):
                bad_rows = [
                    (bad.row + HEADER_LINES + 1, COLUMN_OF_FIELD.get(bad.field, bad.field), bad.message, bad.code.value)
                    for bad in failed.__cause__.bad_rows
                ]
        else:
            counts = {"stored": result.stored, "already": result.already_stored, "out": result.out_of_range}
            messages.success(
                request, _("Stored %(stored)s readings (%(already)s were already stored); %(out)s out of range.") % counts
            )
            return HttpResponseRedirect(reverse("food:cold_chain"))
    return render(request, "food/readings_upload.html", {"form": form, "bad_rows": bad_rows})


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


@require(Permission.VIEW, module=MODULE)
def deviation_list(request: HttpRequest) -> HttpResponse:
    rows = Deviation.objects.select_related("sensor").prefetch_related("lots__lot", "lots__item")[:100]
    writable = can_write_module(request.tenant, MODULE) and actor(request).can(Permission.MANAGE)  # type: ignore[attr-defined]
    return render(
        request, "food/deviations.html", {"deviations": rows, "can_manage": writable, "decisions": deviations.DECISIONS}
    )


@require(Permission.MANAGE, module=MODULE)
def deviation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = get_object_or_404(Deviation, pk=pk)
    decision = request.POST.get("decision", "")
    if request.method == "POST":
        run_action(
            request,
            lambda: deviations.decide(deviation, decision, actor=actor_label(actor(request)), note=request.POST.get("note", "")),
            _("Deviation %(id)s decided: %(decision)s.") % {"id": deviation.pk, "decision": DeviationState(decision).label}
            if decision in deviations.DECISIONS
            else "",
        )
    return HttpResponseRedirect(reverse("food:deviations"))


class PickForm(forms.Form):
    location = forms.ModelChoiceField(
        label=gettext_lazy("Shelf"), queryset=Location.objects.filter(kind=LocationKind.INTERNAL, active=True).order_by("code")
    )
    item_sku = forms.CharField(label=gettext_lazy("Item SKU"), max_length=80)
    to_location = forms.ModelChoiceField(
        label=gettext_lazy("To"), queryset=Location.objects.filter(kind=LocationKind.INTERNAL, active=True).order_by("code")
    )
    lot_code = forms.CharField(label=gettext_lazy("Scanned lot"), max_length=80, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), min_value=Decimal("0.0001"), max_digits=18, decimal_places=4, required=False
    )


@require(Permission.VIEW, module=MODULE)
def fefo_pick(request: HttpRequest) -> HttpResponse:
    """The phone pick page: the shelf's lots first-to-expire first; a scan of a later lot is refused."""
    form = PickForm(request.POST or request.GET or None)
    lots: list[picking.PickableLot] = []
    item = None
    if form.is_bound and form.is_valid():
        item = Item.objects.filter(sku=form.cleaned_data["item_sku"].strip()).first()
        if item is None:
            form.add_error("item_sku", _("No item with this SKU."))
    if item is not None and request.method == "POST" and form.cleaned_data.get("lot_code") and form.cleaned_data.get("quantity"):
        data = form.cleaned_data
        done = run_action(
            request,
            lambda: picking.pick_lot(
                item_id=item.pk,
                location_id=data["location"].pk,
                to_location_id=data["to_location"].pk,
                lot_code=data["lot_code"],
                quantity=data["quantity"],
                actor=actor_label(actor(request)),
            ),
            _("Picked."),
        )
        if done is not None:
            query = f"?location={data['location'].pk}&item_sku={item.sku}&to_location={data['to_location'].pk}"
            return HttpResponseRedirect(reverse("food:fefo_pick") + query)
    if item is not None:
        lots = picking.fefo_lots(item.pk, form.cleaned_data["location"].pk)
    return render(request, "food/fefo_pick.html", {"form": form, "lots": lots, "item": item})
