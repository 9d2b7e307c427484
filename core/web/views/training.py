"""Demand history & training: upload a CSV, see its row errors, fine-tune on the whole history, see which model
serves each demand class, refresh forecasts on demand (with progress), manage promotions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.catalog.models import Category, Item
from core.errors import DomainError
from core.locations.models import Location
from core.planning.forecasting import FINE_TUNABLE, start_fine_tune, start_forecast_refresh
from core.planning.models import DemandHistoryUpload, ForecastRun, ForecastRunStatus, Promotion, PromotionKind, UploadStatus
from core.planning.promotions import PromotionInput, delete_promotion, save_promotion
from core.planning.served import served_classes
from core.planning.uploads import max_upload_bytes, upload_demand_history
from core.web.decorators import require
from core.web.labels import training_stage_label
from core.web.views.common import actor
from tenants.accounts.roles import Permission


class SalesHistoryForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Sales history (CSV)"))


class PromotionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=PromotionKind.choices)
    item = forms.ModelChoiceField(label=gettext_lazy("Item"), queryset=Item.objects.order_by("sku"), required=False)
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.order_by("name"), required=False)
    locations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Locations (none: all)"), queryset=Location.objects.order_by("code"), required=False
    )
    start_date = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    discount = forms.DecimalField(label=gettext_lazy("Discount (0.2 = 20% off)"), required=False, max_digits=5, decimal_places=4)


def progress_of(upload: DemandHistoryUpload) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "status": upload.status,
        "percent": upload.progress_percent,
        "stage": upload.stage,
        "stage_label": training_stage_label(upload.stage),
    }


def _latest_run() -> ForecastRun | None:
    return ForecastRun.objects.filter(status=ForecastRunStatus.DONE).order_by("-created_at", "-pk").first()


@require(Permission.MANAGE)
def training_upload(request: HttpRequest) -> HttpResponse:
    form = SalesHistoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        if data.size > max_upload_bytes():
            form.add_error("file", f"> {max_upload_bytes() // (1024 * 1024)} MB")
        else:
            upload = upload_demand_history(data.read(), data.name, actor=actor(request))
            return HttpResponseRedirect(reverse("web:training_detail", args=[upload.pk]))
    latest = _latest_run()
    running = ForecastRun.objects.filter(status__in=(ForecastRunStatus.QUEUED, ForecastRunStatus.RUNNING)).order_by("-pk").first()
    context = {
        "form": form,
        "uploads": DemandHistoryUpload.objects.order_by("-created_at", "-pk")[:20],
        "latest_run": latest,
        "served": served_classes(latest.served) if latest else [],
        "running": running,
    }
    return render(request, "web/training/upload.html", context)


@require(Permission.MANAGE)
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(DemandHistoryUpload, pk=pk)
    context = {
        "upload": upload,
        "can_fine_tune": upload.status in FINE_TUNABLE,
        "training": upload.status == UploadStatus.TRAINING,
        "served": served_classes(upload.metrics),
        "start": (upload.metrics or {}).get("start"),
        "base_model": (upload.metrics or {}).get("base_model"),
    }
    return render(request, "web/training/detail.html", context)


@require(Permission.MANAGE)
def training_progress(request: HttpRequest, pk: int) -> JsonResponse:
    # The tenant's schema holds only its own uploads: another tenant's id is simply not found.
    return JsonResponse(progress_of(get_object_or_404(DemandHistoryUpload, pk=pk)))


@require(Permission.MANAGE)
def training_fine_tune(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(DemandHistoryUpload, pk=pk)
    if request.method == "POST":
        try:
            start_fine_tune(upload.pk)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Fine-tuning started."))
    return HttpResponseRedirect(reverse("web:training_detail", args=[upload.pk]))


@require(Permission.MANAGE)
def forecast_refresh(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        start_forecast_refresh(actor(request))
        messages.success(request, _("Forecast refresh started."))
    return HttpResponseRedirect(reverse("web:training_upload"))


@require(Permission.MANAGE)
def forecast_run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_object_or_404(ForecastRun, pk=pk)
    start = run.start_date.isoformat() if run.start_date else None
    return JsonResponse({"id": run.pk, "status": run.status, "percent": run.progress_percent, "stage": run.stage, "start": start})


@require(Permission.MANAGE)
def promotions(request: HttpRequest) -> HttpResponse:
    form = PromotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_promotion(
                PromotionInput(
                    name=data["name"],
                    kind=data["kind"],
                    item_id=data["item"].pk if data["item"] else None,
                    category_id=data["category"].pk if data["category"] else None,
                    location_ids=tuple(location.pk for location in data["locations"]),
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    discount=data["discount"],
                )
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Promotion saved."))
            return HttpResponseRedirect(reverse("web:promotions"))
    listed = (
        Promotion.objects.select_related("item", "category").prefetch_related("locations").order_by("-start_date", "pk")[:200]
    )
    return render(request, "web/training/promotions.html", {"form": form, "promotions": listed})


@require(Permission.MANAGE)
def promotion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        try:
            delete_promotion(pk)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Promotion deleted."))
    return HttpResponseRedirect(reverse("web:promotions"))
