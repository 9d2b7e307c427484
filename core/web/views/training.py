"""Sales-history upload & training: upload a CSV, see its row errors, fine-tune on it and follow the progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.web.decorators import require
from core.web.labels import training_stage_label
from core.web.views.common import actor
from ml_models.models import SalesHistoryUpload, UploadStatus
from ml_models.selectors import sales_history_uploads
from ml_models.services import FineTuneNotAllowed, start_fine_tune
from ml_models.uploads import max_upload_bytes, upload_sales_history
from tenants.accounts.roles import Permission

FINE_TUNABLE = (UploadStatus.VALIDATED, UploadStatus.DONE, UploadStatus.FAILED)


class SalesHistoryForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Sales history (CSV)"))


def progress_of(upload: SalesHistoryUpload) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "status": upload.status,
        "percent": upload.progress_percent,
        "stage": upload.stage,
        "stage_label": training_stage_label(upload.stage),
    }


@require(Permission.MANAGE)
def training_upload(request: HttpRequest) -> HttpResponse:
    form = SalesHistoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        if data.size > max_upload_bytes():
            form.add_error("file", f"> {max_upload_bytes() // (1024 * 1024)} MB")
        else:
            upload = upload_sales_history(data.read(), data.name, actor=actor(request))
            return HttpResponseRedirect(reverse("web:training_detail", args=[upload.pk]))
    return render(request, "web/training/upload.html", {"form": form, "uploads": sales_history_uploads()[:20]})


@require(Permission.MANAGE)
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(SalesHistoryUpload, pk=pk)
    metrics = upload.metrics or {}
    context = {
        "upload": upload,
        "can_fine_tune": upload.status in FINE_TUNABLE,
        "training": upload.status == UploadStatus.TRAINING,
        "before": (metrics.get("before") or {}).get("wape"),
        "after": (metrics.get("after") or {}).get("wape"),
        "baselines": sorted((metrics.get("baselines") or {}).items()),
        "metrics": metrics,
    }
    return render(request, "web/training/detail.html", context)


@require(Permission.MANAGE)
def training_progress(request: HttpRequest, pk: int) -> JsonResponse:
    # The tenant's schema holds only its own uploads: another tenant's id is simply not found.
    return JsonResponse(progress_of(get_object_or_404(SalesHistoryUpload, pk=pk)))


@require(Permission.MANAGE)
def training_fine_tune(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(SalesHistoryUpload, pk=pk)
    if request.method == "POST":
        try:
            start_fine_tune(upload.pk)
        except FineTuneNotAllowed:
            messages.error(request, _("This upload cannot be fine-tuned now."))
        else:
            messages.success(request, _("Fine-tuning started."))
    return HttpResponseRedirect(reverse("web:training_detail", args=[upload.pk]))
