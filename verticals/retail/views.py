"""Retail pages: the shop list, open a shop, edit it, close it. Every page needs the retail module."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import can_write_module
from core.web.decorators import require
from core.web.views.common import (
    actor,
    create_once,
    new_form_token,
    paginate,
    query_without_page,
    run_action,
)
from tenants.accounts.roles import Permission
from verticals.retail import selectors, services
from verticals.retail.forms import StoreCreateForm, StoreEditForm
from verticals.retail.models import RetailStore

MODULE = "retail"


@require(Permission.VIEW, module=MODULE)
def store_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    active = {"active": True, "closed": False}.get(status)
    page = paginate(request, selectors.retail_stores(active=active, search=search))
    context = {
        "page": page,
        "q": search,
        "status": status,
        "query": query_without_page(request),
        # a read-only module (subscription ended) still lists its shops, without the buttons that write
        "can_manage": actor(request).can(Permission.MANAGE) and can_write_module(request.tenant, MODULE),  # type: ignore[attr-defined]
        "not_yet_shops": selectors.stores_without_profile(),
    }
    return render(request, "retail/store_list.html", context)


@require(Permission.MANAGE, module=MODULE)
def store_create(request: HttpRequest) -> HttpResponse:
    form = StoreCreateForm(request.POST or None, initial={"token": new_form_token()})
    if request.method == "POST" and form.is_valid():
        done = create_once(
            request,
            form.cleaned_data["token"],
            lambda: services.open_store(**form.service_fields()),
            lambda retail_store: reverse("retail:store_list") + f"?q={retail_store.store.code}",
        )
        if done is not None:
            return done
    return render(request, "retail/store_form.html", {"form": form, "title": _("New store")})


@require(Permission.MANAGE, module=MODULE)
def store_edit(request: HttpRequest, pk: int) -> HttpResponse:
    retail_store = get_object_or_404(selectors.retail_stores(), pk=pk)
    form = StoreEditForm.for_store(retail_store, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_action(request, lambda: services.update_store(retail_store.pk, **form.service_fields()), _("Store saved."))
        if saved is not None:
            return HttpResponseRedirect(reverse("retail:store_list"))
    context = {"form": form, "title": _("Edit store %(code)s") % {"code": retail_store.store.code}, "retail_store": retail_store}
    return render(request, "retail/store_form.html", context)


@require_POST
@require(Permission.MANAGE, module=MODULE)
def store_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    retail_store: RetailStore = get_object_or_404(RetailStore, pk=pk)
    closed = run_action(request, lambda: services.deactivate_store(retail_store.pk), _("Store closed."))
    if closed is None:  # refused (stock still on hand): back to the store, where the message shows
        return HttpResponseRedirect(reverse("retail:store_edit", args=[pk]))
    return HttpResponseRedirect(reverse("retail:store_list"))


@require_POST
@require(Permission.MANAGE, module=MODULE)
def store_adopt(request: HttpRequest, store_pk: int) -> HttpResponse:
    """Make a store the core already has a shop (one button per store on the list)."""
    run_action(request, lambda: services.adopt_store(store_pk), _("The store now trades as a shop."))
    return HttpResponseRedirect(reverse("retail:store_list"))
