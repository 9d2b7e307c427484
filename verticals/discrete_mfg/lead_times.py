"""Lead times in the tenant: read its receipt history, fine-tune the lead-time model on it, write predictions.

The predictions (LeadTimePrediction) replace the fixed lead time in MRP's offsets (mrp.predicted_lead_times)
and feed safety stock through the core's policy (safety_stock_from_prediction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import torch
from django.db import connection, transaction
from django.utils import timezone

from core.planning import policy
from core.planning.selectors import forecast_bands
from verticals.discrete_mfg.ml import lead_time as ltm
from verticals.discrete_mfg.models import LeadTimePrediction, MakeOrBuy, MfgItem

Z_P90 = 1.2816
MIN_RECEIPTS = 20  # fewer measured lead times teach the model nothing about the tenant's suppliers
BASE_CACHE: dict[str, ltm.LeadTimeNet] = {}


def tenant_receipts() -> list[ltm.Receipt]:
    """Every measured supplier lead time: one row per receipt line, by supplier and item category."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.code, COALESCE(c.name, ''), COALESCE(p.sent_at, p.created_at)::date,
                   l.quantity * l.unit_factor, r.lead_time_days
              FROM purchasing_goodsreceipt r
              JOIN purchasing_purchaseorder p ON p.id = r.purchase_order_id
              JOIN partners_supplier s ON s.id = p.supplier_id
              JOIN purchasing_goodsreceiptline g ON g.receipt_id = r.id
              JOIN purchasing_purchaseorderline l ON l.id = g.order_line_id
              JOIN catalog_item i ON i.id = l.item_id
              LEFT JOIN catalog_category c ON c.id = i.category_id
             WHERE r.lead_time_days IS NOT NULL
             ORDER BY r.received_at, r.id
            """
        )
        rows = cursor.fetchall()
    return [ltm.Receipt(code, category, ordered, float(size), float(days)) for code, category, ordered, size, days in rows]


@dataclass(frozen=True)
class FineTuneResult:
    receipts: int
    holdout: int
    pinball_before: float
    pinball_after: float
    coverage_after: float
    version: str = ""


def base_model() -> ltm.LeadTimeNet:
    """The base model trained on the documented generator (cached per process; a few seconds on one core)."""
    if "base" not in BASE_CACHE:
        torch.set_num_threads(1)
        receipts = ltm.base_training_data()
        model = ltm.LeadTimeNet()
        ltm.train(model, receipts, ltm.History.of(receipts), epochs=12)
        BASE_CACHE["base"] = model
    return BASE_CACHE["base"]


def score(model: ltm.LeadTimeNet, receipts: list[ltm.Receipt], history: ltm.History) -> tuple[float, float]:
    """(pinball loss on log days, share of receipts inside P10–P90)."""
    x, y = ltm.dataset(receipts, history)
    with torch.no_grad():
        predicted = model(x)
    inside = ((y >= predicted[:, 0]) & (y <= predicted[:, 2])).float().mean()
    return float(ltm.pinball(predicted, y)), float(inside)


def fine_tune(
    receipts: list[ltm.Receipt], *, epochs: int = 20, register_as: str | None = None, tracking_uri: str | None = None
) -> tuple[ltm.LeadTimeNet, ltm.History, FineTuneResult]:
    """Fine-tune a copy of the base model on the receipts (oldest 80%), scored on the newest 20%."""
    torch.set_num_threads(1)
    cut = max(int(len(receipts) * 0.8), 1)
    train, holdout = receipts[:cut], receipts[cut:] or receipts[-1:]
    history = ltm.History.of(train)
    model = ltm.LeadTimeNet()
    model.load_state_dict(base_model().state_dict())
    before, _ = score(model, holdout, history)
    ltm.train(model, train, history, epochs=epochs, lr=1e-3)
    after, coverage = score(model, holdout, history)
    version = ""
    if register_as:
        logged = ltm.log_model(
            model,
            register_as,
            {"pinball_before": before, "pinball_after": after, "coverage_p10_p90": coverage},
            {"receipts": len(train), "holdout": len(holdout), "epochs": epochs},
            tracking_uri=tracking_uri,
        )
        version = logged.version
    return model, history, FineTuneResult(len(train), len(holdout), before, after, coverage, version)


@transaction.atomic
def refresh_predictions(model: ltm.LeadTimeNet, history: ltm.History, *, version: str = "", today: date | None = None) -> int:
    """Predict today's lead time for every bought part with a supplier; one row per item, replaced in bulk."""
    today = today or timezone.localdate()
    profiles = list(
        MfgItem.objects.filter(make_or_buy=MakeOrBuy.BUY, supplier__isnull=False).select_related("supplier", "item__category")
    )
    if not profiles:
        return 0
    asks = []
    for p in profiles:
        code = p.supplier.code if p.supplier else ""
        usual_size = history.supplier.get(code, (0.0, 0.0, 0, 1.0))[3]
        asks.append(ltm.Receipt(code, p.item.category.name if p.item.category else "", today, usual_size, 0.0))
    quantiles = ltm.predict_days(model, asks, history)
    rows = []
    for profile, ask, (p10, p50, p90) in zip(profiles, asks, quantiles, strict=True):
        rows.append(
            LeadTimePrediction(
                item=profile.item,
                p10=_days(p10),
                p50=_days(p50),
                p90=_days(p90),
                model_version=version,
                explanation=ltm.explain(model, ask, history),
            )
        )
    LeadTimePrediction.objects.filter(item_id__in=[p.item_id for p in profiles]).delete()
    LeadTimePrediction.objects.bulk_create(rows)
    return len(rows)


def _days(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))) if math.isfinite(value) else Decimal("0")


def lead_time_of(prediction: LeadTimePrediction) -> policy.LeadTime:
    """The model's quantiles as the core policy's lead time: P50 as the mean, σ from the P10–P90 band."""
    sigma = (prediction.p90 - prediction.p10) / Decimal(str(2 * Z_P90))
    return policy.LeadTime(prediction.p50, sigma.quantize(Decimal("0.0001")))


@transaction.atomic
def safety_stock_from_prediction(
    item_id: int, location_id: int, *, service_level: Decimal = Decimal("0.95"), days: int = 28
) -> Decimal:
    """Safety stock over the predicted lead time (the core's formula), written to the item's planning profile."""
    prediction = LeadTimePrediction.objects.filter(item_id=item_id).first()
    profile = MfgItem.objects.select_for_update().filter(item_id=item_id).first()
    if prediction is None or profile is None:
        return profile.safety_stock if profile else Decimal("0")
    bands = forecast_bands([(item_id, location_id)], timezone.localdate(), days).get((item_id, location_id), [])
    figures = policy.policy_figures(bands, lead_time_of(prediction), service_level, 0)
    profile.safety_stock = figures.safety_stock
    profile.save(update_fields=["safety_stock"])
    return figures.safety_stock


def empirical_interval(train: list[ltm.Receipt], receipts: list[ltm.Receipt], k: float = Z_P90) -> np.ndarray:
    """The core's way today: per supplier, the mean ± k·std of the days measured (the benchmark's baseline)."""
    by_supplier: dict[str, list[float]] = {}
    for r in train:
        by_supplier.setdefault(r.supplier, []).append(r.days)
    overall = [r.days for r in train]
    result = []
    for r in receipts:
        days = by_supplier.get(r.supplier, overall)
        mean, std = float(np.mean(days)), float(np.std(days))
        result.append((max(mean - k * std, 0.5), mean, mean + k * std))
    return np.array(result)
