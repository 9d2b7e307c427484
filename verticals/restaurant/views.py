"""Restaurant pages (phone-first for the kitchen: waste entry, prep list, receiving), the management pages
(outlets, labour regions, staff, the recipe editor) and the signed POS endpoint. Views stay thin: they read
the form, call one service through `run_action` (a typed refusal becomes a message in the reader's language)
and redirect on success."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.entitlements import can_write_module
from core.catalog.models import Item, Unit
from core.errors import DomainError, run_after_rollback
from core.web.decorators import require
from core.web.views.common import actor, paginate
from tenants.accounts.roles import Permission
from verticals.restaurant import backflush, planning, receiving, rostering, selectors, staffing
from verticals.restaurant.exceptions import BadSignature, NotFound, TicketLinesRejected
from verticals.restaurant.imports import SIGNATURE_HEADER, lines_from_csv, lines_from_records, verify_signature
from verticals.restaurant.models import Dish, LabourRegion, Outlet, Recipe, RecipeVersion, StaffMember, WasteReason
from verticals.restaurant.services import RecipeLineInput, create_dish, dish_costs, open_outlet, save_recipe
from verticals.restaurant.waste import record_waste

MODULE = "restaurant"
T = TypeVar("T")
BLANK_RECIPE_LINES = 3  # empty rows under the current lines: room to add ingredients without scripting


def run_action(request: HttpRequest, call: Callable[[], T], success: str) -> T | None:
    """Call one service: its success or its typed refusal becomes a message; None when refused.

    Unlike the core pages' helper, the message is only the refusal in the reader's language: the kitchen
    reads "超出订单数量", not a stable code meant for API clients."""
    try:
        result = call()
    except DomainError as error:
        run_after_rollback(error)  # the service's transaction has rolled back: what its refusal leaves behind
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return result


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@csrf_exempt
@require_POST
def pos_ingest(request: HttpRequest, outlet_code: str) -> JsonResponse:
    """POST a JSON batch `{"lines": [...]}` signed with `X-JXC-Signature: sha256=<HMAC of the body>`.

    Idempotent per (outlet, ticket, line): a POS re-sending after a timeout posts nothing twice."""
    if not can_write_module(request.tenant, MODULE):  # type: ignore[attr-defined]
        return JsonResponse(
            {"errors": [{"code": "MODULE_NOT_ENABLED", "message": _("The restaurant module is not enabled.")}]}, status=403
        )
    outlet = Outlet.objects.select_related("store").filter(store__code=outlet_code).first()
    if outlet is None:
        return JsonResponse(
            {"errors": [{"code": "NOT_FOUND", "message": _("No outlet %(code)s.") % {"code": outlet_code}}]}, status=404
        )
    try:
        verify_signature(outlet, request.body, request.headers.get(SIGNATURE_HEADER, ""))
        payload = json.loads(request.body or b"{}")
        records = payload.get("lines") if isinstance(payload, dict) else None
        if not isinstance(records, list):
            raise TicketLinesRejected([], _('Send {"lines": [...]}.'))
        result = backflush.ingest_ticket_lines(outlet.pk, lines_from_records(records), actor=f"pos:{outlet.code}")
    except BadSignature as error:
        return JsonResponse({"errors": [{"code": error.code, "message": str(error)}]}, status=401)
    except json.JSONDecodeError:
        return JsonResponse({"errors": [{"code": "INVALID_JSON", "message": _("The body is not JSON.")}]}, status=400)
    except TicketLinesRejected as error:
        rows = [{"row": b.row, "field": b.field, "message": b.message} for b in error.bad_rows]
        return JsonResponse({"errors": [{"code": error.code, "message": str(error), "rows": rows}]}, status=400)
    except DomainError as error:
        return JsonResponse({"errors": [{"code": error.code, "field": error.field, "message": str(error)}]}, status=400)
    return JsonResponse({_camel(key): value for key, value in asdict(result).items()})


@require(Permission.VIEW, module=MODULE)
def menu(request: HttpRequest) -> HttpResponse:
    """Dishes with their cost per portion and margin."""
    return render(request, "restaurant/menu.html", {"costs": dish_costs(list(selectors.dishes()))})


@require(Permission.VIEW, module=MODULE)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "restaurant/review_queue.html", {"page": paginate(request, selectors.review_queue())})


@require_POST
@require(Permission.OPERATE, module=MODULE)
def review_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    dish_code = request.POST.get("dish_code", "").strip() or None
    run_action(
        request,
        lambda: backflush.resolve_review_line(pk, dish_code=dish_code, actor=str(actor(request))),
        _("Ticket line settled."),
    )
    return HttpResponseRedirect(reverse("restaurant:review_queue"))


@require(Permission.OPERATE, module=MODULE)
def pos_import(request: HttpRequest) -> HttpResponse:
    """Upload a POS CSV export for one outlet."""
    outlets = list(selectors.outlets())
    result = None
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is not None:
        outlet = get_object_or_404(Outlet, pk=request.POST.get("outlet"))
        text = upload.read().decode("utf-8-sig", errors="replace")
        result = run_action(
            request,
            lambda: backflush.ingest_ticket_lines(outlet.pk, lines_from_csv(text), actor=str(actor(request))),
            _("POS file imported."),
        )
    return render(request, "restaurant/pos_import.html", {"outlets": outlets, "result": result})


@require(Permission.OPERATE, module=MODULE)
def waste_entry(request: HttpRequest) -> HttpResponse:
    """Phone-first: pick the ingredient, type the quantity, choose a reason, optionally snap a photo."""
    outlets = list(selectors.outlets())
    items = Item.objects.filter(active=True).order_by("sku")
    if request.method == "POST":
        data = request.POST
        saved = run_action(
            request,
            lambda: record_waste(
                outlet_id=_int(data.get("outlet")),
                item_id=_int(data.get("item")),
                quantity=data.get("quantity", ""),
                unit=data.get("unit") or None,
                reason=data.get("reason", ""),
                note=data.get("note", ""),
                photo=request.FILES.get("photo"),
                actor=str(actor(request)),
                client_key=data.get("token", ""),
            ),
            _("Waste recorded."),
        )
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:waste_entry"))
    context = {
        "outlets": outlets,
        "items": items,
        "reasons": WasteReason.choices,
        "token": timezone.now().strftime("%Y%m%d%H%M%S%f"),
        "recent": selectors.waste_records()[:10],
    }
    return render(request, "restaurant/waste_entry.html", context)


@require(Permission.VIEW, module=MODULE)
def prep_list(request: HttpRequest) -> HttpResponse:
    """Phone-first daily prep list per outlet, from the dish forecast."""
    outlets = list(selectors.outlets())
    outlet = next((o for o in outlets if str(o.pk) == request.GET.get("outlet")), outlets[0] if outlets else None)
    day = timezone.localdate()
    rows = planning.prep_list(outlet.pk, day) if outlet else []
    return render(request, "restaurant/prep_list.html", {"outlets": outlets, "outlet": outlet, "day": day, "rows": rows})


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise NotFound(_("Choose an outlet and an item.")) from None


@require(Permission.VIEW, module=MODULE)
def schedule(request: HttpRequest) -> HttpResponse:
    """Coverage against demand per outlet, day and hour for a week, with the reason for every unmet slot.
    POST (manager) solves and stores the week's roster."""
    outlets = list(selectors.outlets())
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday()) + timedelta(days=7)
    result = None
    if request.method == "POST":
        chosen = [o.pk for o in outlets if str(o.pk) in request.POST.getlist("outlet")] or [o.pk for o in outlets[:1]]
        result = run_action(
            request, lambda: rostering.plan_week(chosen, week_start, actor=str(actor(request))), _("Roster saved.")
        )
    rows = []
    if result is not None:
        for (outlet, day, hour, role), (needed, covered) in sorted(result.coverage.items()):
            rows.append(
                {
                    "outlet": outlet,
                    "day": week_start + timedelta(days=day),
                    "hour": hour,
                    "role": role,
                    "needed": needed,
                    "covered": covered,
                }
            )
    context = {"outlets": outlets, "week_start": week_start, "result": result, "rows": rows}
    return render(request, "restaurant/schedule.html", context)


def _weekday_labels() -> tuple[str, ...]:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def _token() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


# --- outlets -----------------------------------------------------------------------------------------------


@require(Permission.MANAGE, module=MODULE)
def outlets(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = request.POST
        created = run_action(
            request,
            lambda: open_outlet(code=data.get("code", ""), name=data.get("name", ""), region=data.get("region", "CN")),
            _("Outlet opened."),
        )
        if created is not None:
            return HttpResponseRedirect(reverse("restaurant:outlet_edit", args=[created.pk]))
    context = {"outlets": selectors.outlets(), "regions": LabourRegion.objects.order_by("code"), "form": request.POST}
    return render(request, "restaurant/outlets.html", context)


@require(Permission.MANAGE, module=MODULE)
def outlet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = get_object_or_404(Outlet.objects.select_related("store"), pk=pk)
    if request.method == "POST":
        data = request.POST
        saved = run_action(
            request,
            lambda: staffing.update_outlet(
                outlet.pk,
                name=data.get("name", ""),
                region=data.get("region", ""),
                open_weekdays=data.getlist("open_weekdays"),
                pos_secret=data.get("pos_secret") or None,
            ),
            _("Outlet saved."),
        )
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:outlets"))
    context = {
        "outlet": outlet,
        "regions": LabourRegion.objects.order_by("code"),
        "weekdays": [
            (day, label, day in outlet.open_weekdays or not outlet.open_weekdays) for day, label in enumerate(_weekday_labels())
        ],
    }
    return render(request, "restaurant/outlet_edit.html", context)


# --- labour regions and staff ------------------------------------------------------------------------------

REGION_FIELDS = ("max_weekly_hours", "min_rest_hours", "max_shift_hours", "fatigue_after_hours", "max_days_per_week")


@require(Permission.MANAGE, module=MODULE)
def labour_regions(request: HttpRequest) -> HttpResponse:
    """Every region's rules in one editable table plus a blank row for a new region."""
    if request.method == "POST":
        data = request.POST
        saved = run_action(
            request,
            lambda: staffing.save_labour_region(
                code=data.get("code", ""), **{name: data.get(name, "") for name in REGION_FIELDS}
            ),
            _("Labour rules saved."),
        )
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:labour_regions"))
    used = set(Outlet.objects.values_list("region", flat=True))
    context = {
        "regions": LabourRegion.objects.order_by("code"),
        "missing": sorted(used - set(LabourRegion.objects.values_list("code", flat=True))),
    }
    return render(request, "restaurant/labour_regions.html", context)


@require(Permission.MANAGE, module=MODULE)
def staff(request: HttpRequest) -> HttpResponse:
    """The roster of one outlet (or all) and a form to add a person."""
    outlet_list = list(selectors.outlets())
    chosen = request.GET.get("outlet", "")
    members = StaffMember.objects.select_related("outlet__store").order_by("outlet__store__code", "name")
    if chosen:
        members = members.filter(outlet_id=chosen)
    if request.method == "POST":
        saved = _save_member(request, None)
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:staff") + f"?outlet={saved.outlet_id}")
    context = {"outlets": outlet_list, "chosen": chosen, "members": members, "roles": _role_choices(), "member": None}
    return render(request, "restaurant/staff.html", context)


@require(Permission.MANAGE, module=MODULE)
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(StaffMember.objects.select_related("outlet__store"), pk=pk)
    if request.method == "POST":
        saved = _save_member(request, member.pk)
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:staff") + f"?outlet={saved.outlet_id}")
    context = {"outlets": list(selectors.outlets()), "member": member, "roles": _role_choices()}
    return render(request, "restaurant/staff_edit.html", context)


def _save_member(request: HttpRequest, staff_id: int | None) -> StaffMember | None:
    data = request.POST
    return run_action(
        request,
        lambda: staffing.save_staff_member(
            outlet_id=_pk(data.get("outlet")),
            name=data.get("name", ""),
            roles=data.getlist("roles"),
            min_weekly_hours=data.get("min_weekly_hours", "0"),
            max_weekly_hours=data.get("max_weekly_hours", ""),
            active=staff_id is None or data.get("active") == "on",
            staff_id=staff_id,
        ),
        _("Staff member saved."),
    )


def _role_choices() -> list[tuple[str, str]]:
    labels = {"chef": _("Chef"), "server": _("Server"), "cashier": _("Cashier"), "manager": _("Manager")}
    return [(role, labels[role]) for role in staffing.ROLES]


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0  # no such row: the service answers NotFound in the reader's language


# --- recipes -----------------------------------------------------------------------------------------------


@require(Permission.MANAGE, module=MODULE)
def recipes(request: HttpRequest) -> HttpResponse:
    """Dishes and sub-recipes with their current version; a form to add a dish."""
    if request.method == "POST":
        data = request.POST
        dish = run_action(
            request,
            lambda: create_dish(
                code=data.get("code", ""),
                name_zh=data.get("name_zh", ""),
                name_en=data.get("name_en", ""),
                price=data.get("price", ""),
            ),
            _("Dish created."),
        )
        if dish is not None:
            return HttpResponseRedirect(reverse("restaurant:recipe_edit") + f"?dish={dish.pk}")
    context = {
        "recipes": Recipe.objects.select_related("dish", "current_version", "yield_unit").order_by("dish", "code"),
        "dishes_without_recipe": Dish.objects.filter(recipe__isnull=True, active=True).order_by("code"),
    }
    return render(request, "restaurant/recipes.html", context)


@require(Permission.MANAGE, module=MODULE)
def recipe_edit(request: HttpRequest) -> HttpResponse:
    """Edit a recipe by saving a new version (`?code=`), or write the first one (`?dish=` or a new sub-recipe)."""
    recipe = (
        Recipe.objects.select_related("dish", "current_version", "yield_unit").filter(code=request.GET.get("code", "")).first()
    )
    dish = recipe.dish if recipe else Dish.objects.filter(pk=_pk(request.GET.get("dish"))).first()
    if request.method == "POST":
        saved = _save_recipe(request, dish)
        if saved is not None:
            return HttpResponseRedirect(reverse("restaurant:recipe_edit") + f"?code={saved.recipe.code}")
        rows = _posted_rows(request)
    else:
        rows = _current_rows(recipe)
    rows += [{"item": "", "sub": "", "quantity": "", "unit": "", "trim": "0"} for _ in range(BLANK_RECIPE_LINES)]
    context = {
        "recipe": recipe,
        "dish": dish,
        "rows": rows,
        "items": Item.objects.filter(active=True).order_by("sku"),
        "units": Unit.objects.order_by("code"),
        "sub_recipes": Recipe.objects.filter(dish__isnull=True, current_version__isnull=False).exclude(
            code=recipe.code if recipe else ""
        ),
        "versions": recipe.versions.prefetch_related("lines__item", "lines__sub_recipe", "lines__unit")[:10] if recipe else [],
        "form": request.POST,
    }
    return render(request, "restaurant/recipe_edit.html", context)


def _save_recipe(request: HttpRequest, dish: Dish | None) -> RecipeVersion | None:
    data = request.POST
    lines = [
        RecipeLineInput(
            quantity=row["quantity"],
            item_id=_pk(row["item"]) if row["item"] and not row["sub"] else None,
            sub_recipe_code=row["sub"] or None,
            unit=row["unit"] or None,
            trim_loss_pct=row["trim"] or "0",
        )
        for row in _posted_rows(request)
        if row["quantity"].strip() and (row["item"] or row["sub"])
    ]
    return run_action(
        request,
        lambda: save_recipe(
            code=data.get("code", ""),
            name=data.get("name", ""),
            lines=lines,
            yield_quantity=data.get("yield_quantity", "1") or "1",
            dish_id=dish.pk if dish else None,
            yield_unit=data.get("yield_unit") or None,
            note=data.get("note", ""),
            actor=str(actor(request)),
        ),
        _("Recipe saved as a new version."),
    )


def _posted_rows(request: HttpRequest) -> list[dict[str, str]]:
    data = request.POST
    fields = ("item", "sub", "quantity", "unit", "trim")
    columns = {name: data.getlist(f"line_{name}") for name in fields}
    count = max((len(values) for values in columns.values()), default=0)
    return [{name: (columns[name][i] if i < len(columns[name]) else "").strip() for name in fields} for i in range(count)]


def _current_rows(recipe: Recipe | None) -> list[dict[str, str]]:
    if recipe is None or recipe.current_version is None:
        return []
    return [
        {
            "item": str(line.item_id or ""),
            "sub": line.sub_recipe.code if line.sub_recipe else "",
            "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit.code if line.unit else "",
            "trim": f"{line.trim_loss_pct.normalize():f}",
        }
        for line in recipe.current_version.lines.select_related("sub_recipe", "unit")
    ]


# --- receiving (phone-first) -------------------------------------------------------------------------------


@require(Permission.OPERATE, module=MODULE)
def receiving_page(request: HttpRequest) -> HttpResponse:
    """The deliveries expected at one outlet's kitchen; each order is one form the cook confirms."""
    outlet_list = list(selectors.outlets())
    outlet = next((o for o in outlet_list if str(o.pk) == request.GET.get("outlet")), outlet_list[0] if outlet_list else None)
    if request.method == "POST" and outlet is not None:
        data = request.POST
        entries = {
            int(key.removeprefix("quantity_")): receiving.DeliveryLine(
                quantity=str(value), lot_code=data.get(f"lot_{key[9:]}", ""), expiry=data.get(f"expiry_{key[9:]}", "")
            )
            for key, value in data.items()
            if key.startswith("quantity_") and key[9:].isdigit()
        }
        received = run_action(
            request,
            lambda: receiving.receive_delivery(
                outlet.pk,
                _pk(data.get("order")),
                entries,
                reference=f"restaurant.receiving:{data.get('token', '')}",
                actor=str(actor(request)),
            ),
            _("Delivery received."),
        )
        if received is not None:
            return HttpResponseRedirect(reverse("restaurant:receiving") + f"?outlet={outlet.pk}")
    orders = list(receiving.open_deliveries(outlet.pk)) if outlet else []
    for order in orders:
        for line in order.lines.all():
            line.default_expiry = receiving.default_expiry(line)  # type: ignore[attr-defined]
    context = {"outlets": outlet_list, "outlet": outlet, "orders": orders, "token": _token()}
    return render(request, "restaurant/receiving.html", context)
