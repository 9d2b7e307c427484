"""Restaurant events for the rules engine: each risky lot is evaluated as `restaurant.lot_checked`."""

from __future__ import annotations

from core.rules.evaluator import evaluate, load_rules
from verticals.restaurant.models import IngredientProfile, Outlet
from verticals.restaurant.spoilage import current_model, lot_risks


def check_lots() -> int:
    """Run the `restaurant.lot_checked` rules on every lot at every outlet (one event per lot, idempotent per
    lot and hour through the event id)."""
    from django.utils import timezone

    rules = load_rules("restaurant.lot_checked")
    if not rules:
        return 0
    model = current_model()
    hour = timezone.now().strftime("%Y%m%d%H")
    checked = 0
    profiles = {p.item_id: p for p in IngredientProfile.objects.all()}
    for outlet in Outlet.objects.all():
        for risk in lot_risks(outlet.pk, model=model):
            profile = profiles.get(risk.item_id)
            context = {
                "lot": {
                    "spoil_probability": round(risk.p_spoil * 100, 1),
                    "expected_waste_pct": round(risk.expected_waste / float(risk.quantity) * 100, 1) if risk.quantity else 0,
                    "storage_temp_c": risk.temperature_c,
                    "ingredient_group": profile.group if profile else "",
                    "process_method": profile.process if profile else "",
                },
                "outlet": {"code": outlet.code},
            }
            subject = {"type": "lot", "id": f"{outlet.pk}:{risk.item_id}:{risk.lot_id or 0}"}
            evaluate(
                "restaurant.lot_checked", context, subject=subject, event_id=f"lot-check:{subject['id']}:{hour}", rules=rules
            )
            checked += 1
    return checked
