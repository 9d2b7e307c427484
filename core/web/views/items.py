"""Item pages: a searchable list with a scan box, create, detail with stock per location, CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.catalog import selectors as catalog
from core.catalog.models import Item, Unit
from core.catalog.services import create_item, update_item
from core.imports.exports import export_items_csv
from core.inventory import selectors as inventory
from core.web.decorators import require
from core.web.forms import ItemForm
from core.web.views.common import (
    ActionFailed,
    create_once,
    domain_call,
    new_form_token,
    paginate,
    query_without_page,
)
from tenants.accounts.roles import Permission


@require(Permission.VIEW)
def item_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    queryset = catalog.items(search=search).select_related("base_unit").order_by("sku")
    if search:
        # a scanned barcode matches exactly; the selector covers SKU and names
        queryset = queryset | Item.objects.filter(Q(barcodes__contains=[search])).select_related("base_unit")
        exact = Item.objects.filter(Q(sku=search) | Q(barcodes__contains=[search])).first()
        if exact is not None and request.GET.get("go") == "1":
            return HttpResponseRedirect(reverse("web:item_detail", args=[exact.pk]))
    page = paginate(request, queryset.distinct().order_by("sku"))
    return render(request, "web/items/list.html", {"page": page, "q": search, "query": query_without_page(request)})


@require(Permission.OPERATE)
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None, initial={"token": new_form_token()})
    if request.method == "POST" and form.is_valid():
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: create_item(**form.service_fields()),
            lambda item: reverse("web:item_detail", args=[item.pk]),
        )
        if done is not None:
            return done
    return render(request, "web/items/form.html", {"form": form, "units_exist": Unit.objects.filter(active=True).exists()})


@require(Permission.MANAGE)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            with domain_call(request):
                update_item(item.pk, **form.service_fields())
        except ActionFailed:
            pass
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("web:item_detail", args=[item.pk]))
    return render(request, "web/items/form.html", {"form": form, "item": item, "units_exist": True})


@require(Permission.VIEW)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("base_unit", "category"), pk=pk)
    levels = inventory.stock_levels(item_id=item.pk).select_related("location", "lot").order_by("location__code", "lot__code")
    moves = (
        inventory.stock_moves(item_id=item.pk)
        .select_related("from_location", "to_location", "lot")
        .order_by("-occurred_at", "-pk")[:20]
    )
    return render(request, "web/items/detail.html", {"item": item, "levels": levels, "moves": moves})


@require(Permission.VIEW)
def item_export(request: HttpRequest) -> HttpResponse:
    # export_items_csv escapes cells that a spreadsheet would run as formulas (=, +, -, @)
    response = HttpResponse("\ufeff" + export_items_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="items.csv"'
    return response
