"""The Stripe webhook endpoint on the public host; thin: billing.webhooks owns the logic."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.webhooks import BadSignature, MalformedEvent, Outcome, handle, verify


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "stripe webhooks are not configured"}, status=404)
    try:
        event = verify(request.body, request.headers.get("Stripe-Signature", ""))
    except BadSignature:
        return JsonResponse({"error": "bad signature"}, status=400)
    except MalformedEvent as error:
        return JsonResponse({"error": f"malformed event: {error}"}, status=400)
    outcome = handle(event)
    return JsonResponse({"outcome": outcome.value}, status=500 if outcome is Outcome.FAILED else 200)
