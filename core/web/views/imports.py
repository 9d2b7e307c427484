"""Import pages: upload a .csv/.xlsx of items, partners or opening stock; the row errors; recent imports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.imports.models import ImportJob
from core.imports.selectors import recent_import_jobs
from core.imports.services import import_file
from core.web.decorators import require
from core.web.forms import IMPORT_KINDS, ImportForm
from core.web.views.common import ActionFailed, actor, domain_call, new_form_token
from tenants.accounts.roles import Permission

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@require(Permission.MANAGE)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, initial={"token": new_form_token()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "> 10 MB")
        else:
            try:
                with domain_call(request):
                    # the same file twice is recognised by its hash and imported once
                    job = import_file(form.cleaned_data["kind"], upload.read(), upload.name, actor=actor(request).label())
            except ActionFailed:
                pass
            else:
                return HttpResponseRedirect(reverse("web:import_detail", args=[job.pk]))
    return render(request, "web/imports/upload.html", {"form": form, "jobs": recent_import_jobs(20)})


@require(Permission.MANAGE)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    kinds = dict(IMPORT_KINDS)
    return render(request, "web/imports/detail.html", {"job": job, "kind_label": kinds.get(job.kind, job.kind)})
