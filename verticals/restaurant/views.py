"""Restaurant pages (phone-first for the kitchen: waste entry, prep list) and the signed POS endpoint."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.entitlements import can_write_module
from core.catalog.models import Item
from core.errors import DomainError
from core.web.decorators import require
from core.web.views.common import actor, paginate, run_action
from tenants.accounts.roles import Permission
from verticals.restaurant import backflush, planning, rostering, selectors
from verticals.restaurant.exceptions import BadSignature, NotFound, TicketLinesRejected
from verticals.restaurant.imports import SIGNATURE_HEADER, lines_from_csv, lines_from_records, verify_signature
from verticals.restaurant.models import Outlet, WasteReason
from verticals.restaurant.services import dish_costs
from verticals.restaurant.waste import record_waste

MODULE = "restaurant"


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
        result = run_action(request, lambda: rostering.plan_week(chosen, week_start), _("Roster saved."))
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
