"""The generic master-data pages (see core.web.masterdata): thin views over each kind's form and services."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.imports.exports import escape_cell
from core.web.decorators import require
from core.web.masterdata import KINDS, MasterForm, MasterKind, cell
from core.web.views.common import paginate, query_without_page
from tenants.accounts.roles import Permission

MAX_IMPORT_ROWS = 5000


def _kind(key: str) -> MasterKind:
    kind = KINDS.get(key)
    if kind is None:
        raise Http404("No such master data.")
    return kind


def add_refusal(form: MasterForm, error: DomainError | ValidationError) -> None:
    """Put a service's refusal next to its field (or above the form) in the reader's language."""
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            form.add_error(name if name in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def save_form(form: MasterForm, pk: int | None) -> Any:
    """The form's save in one transaction; None (and the errors on the form) when the service refused."""
    try:
        with transaction.atomic():
            return form.save(pk)
    except (DomainError, ValidationError) as error:
        add_refusal(form, error)
        return None


@require(Permission.VIEW)
def master_index(request: HttpRequest) -> HttpResponse:
    kinds = [(kind, kind.queryset().count()) for kind in KINDS.values()]
    return render(request, "web/master/index.html", {"kinds": kinds})


@require(Permission.VIEW)
def master_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    search = request.GET.get("q", "").strip()
    archived = request.GET.get("archived") == "1"
    page = paginate(request, spec.queryset(archived=archived, search=search))
    rows = [(obj, [cell(obj, path) for path, _header in spec.columns]) for obj in page]
    context = {"kind": spec, "page": page, "rows": rows, "q": search, "archived": archived, "query": query_without_page(request)}
    return render(request, "web/master/list.html", context)


@require(Permission.MANAGE)
def master_create(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    form = spec.form(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid() and save_form(form, None) is not None:
        messages.success(request, _("Saved."))
        if "save_and_new" in request.POST:
            return HttpResponseRedirect(reverse("web:master_create", args=[kind]))
        return HttpResponseRedirect(reverse("web:master_list", args=[kind]))
    return render(request, "web/master/form.html", {"kind": spec, "form": form}, status=400 if form.errors else 200)


@require(Permission.MANAGE)
def master_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = get_object_or_404(spec.model._default_manager.filter(spec.base_filter), pk=pk)
    form = spec.form(request.POST or None, initial=spec.form.initial_for(obj))
    if request.method == "POST" and form.is_valid() and save_form(form, pk) is not None:
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("web:master_list", args=[kind]))
    context = {"kind": spec, "form": form, "obj": obj}
    return render(request, "web/master/form.html", context, status=400 if form.errors else 200)


@require_POST
@require(Permission.MANAGE)
def master_archive(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = get_object_or_404(spec.model._default_manager.filter(spec.base_filter), pk=pk)
    try:
        with transaction.atomic():
            spec.archive(obj.pk)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Archived.") if spec.has_active else _("Removed."))
    return HttpResponseRedirect(reverse("web:master_list", args=[kind]))


@require(Permission.VIEW)
def master_export(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    out = io.StringIO()
    writer = csv.writer(out)
    names = list(spec.form.base_fields)
    writer.writerow(names)
    for obj in spec.queryset():
        initial = spec.form.initial_for(obj)
        writer.writerow([escape_cell(initial.get(name, "")) for name in names])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec.key}.csv"'
    return response


def header_names(form_class: type[MasterForm]) -> dict[str, str]:
    """Every accepted header (field name, label in Chinese and in English, any case) → field name."""
    names: dict[str, str] = {}
    for name, form_field in form_class.base_fields.items():
        names[name.lower()] = name
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(form_field.label).strip().lower()] = name
    return names


@require_POST
@require(Permission.MANAGE)
def master_import(request: HttpRequest, kind: str) -> HttpResponse:
    """All rows or none: any bad row rolls the whole file back and is listed with its line number."""
    spec = _kind(kind)
    upload = request.FILES.get("file")
    problems: list[str] = []
    saved = 0
    if upload is None:
        problems.append(_("Choose a CSV file."))
    else:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
            problems.append(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        if text is not None:
            saved, problems = _import_rows(spec, text)
    if problems:
        for problem in problems[:20]:
            messages.error(request, problem)
    else:
        messages.success(request, _("Imported %(count)d rows.") % {"count": saved})
    return HttpResponseRedirect(reverse("web:master_list", args=[kind]))


class _RollBack(Exception):
    pass


def _import_rows(spec: MasterKind, text: str) -> tuple[int, list[str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return 0, [_("The file is empty.")]
    known = header_names(spec.form)
    columns = [known.get(name.strip().lower()) for name in header]
    # A column left out takes the form's default (a supplier file without currency gets CNY).
    defaults = {name: f.initial for name, f in spec.form.base_fields.items() if name not in columns and f.initial is not None}
    missing = [
        str(f.label) for name, f in spec.form.base_fields.items() if f.required and name not in columns and name not in defaults
    ]
    if missing:
        return 0, [_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}]
    problems: list[str] = []
    saved = 0
    try:
        with transaction.atomic():
            for line, values in enumerate(reader, start=2):
                if line - 1 > MAX_IMPORT_ROWS:
                    problems.append(_("At most %(count)d rows per file.") % {"count": MAX_IMPORT_ROWS})
                    break
                if not any(v.strip() for v in values):
                    continue
                row = {**defaults, **{name: value.strip() for name, value in zip(columns, values, strict=False) if name}}
                form = spec.form(row)
                if form.is_valid():
                    with transaction.atomic():
                        saved += save_form(form, form.existing_pk()) is not None
                for name, texts in form.errors.items():
                    label = spec.form.base_fields[name].label if name in spec.form.base_fields else ""
                    problems.append(
                        _("Line %(line)d: %(field)s %(error)s")
                        % {"line": line, "field": label or "", "error": " ".join(str(text) for text in texts)}
                    )
            if problems:
                raise _RollBack
    except _RollBack:
        return 0, problems
    return saved, []
