"""Cold-chain pages: sensors with their latest reading and open excursions, one sensor's history."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import can_write_module
from core.web.decorators import require
from core.web.views.common import ActionFailed, actor, create_once, domain_call, new_form_token, paginate
from tenants.accounts.roles import Permission
from verticals.food import selectors, services
from verticals.food.exceptions import ReadingsRejected
from verticals.food.forms import ReadingsUploadForm, SensorForm
from verticals.food.imports import COLUMN_OF_FIELD, HEADER_LINES, BadExport, readings_from_csv
from verticals.food.models import ColdChainSensor

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
