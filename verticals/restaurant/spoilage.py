"""Spoilage risk at the outlets (损耗预测): lot features from the ledger, the ingredient profiles and the
food module's cold-chain readings where a sensor watches the location; the tenant's fine-tuned model (or
the base model) turns them into waste alerts, a "use first" list and smaller orders."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import torch
from django.apps import apps
from django.conf import settings
from django.db.models import Avg, Sum
from django.utils import timezone
from mlflow.exceptions import MlflowException

from core.catalog.models import Item
from core.inventory.models import Lot, StockLevel, StockMove
from ml_models import spoilage as model_lib
from ml_models.exceptions import ModelRegistryError
from ml_models.tracking import champion_version, registered_model_name
from tenants.schemas import current_schema
from verticals.restaurant.models import IngredientProfile, Outlet, TheoreticalUsage, WasteReason, WasteRecord

MODULE = "restaurant"
ALERT_PROBABILITY = 0.6
_base_lock = threading.Lock()
_base_model: model_lib.SpoilageNet | None = None


@dataclass(frozen=True)
class LotRisk:
    item_id: int
    sku: str
    name: str
    lot_id: int | None
    quantity: Decimal
    p_spoil: float
    expected_waste: float
    hours_left: float
    temperature_c: float


def base_model() -> model_lib.SpoilageNet:
    """The base model, trained once on the documented generator and kept on disk (about 10 s to train)."""
    global _base_model
    with _base_lock:
        if _base_model is None:
            path = Path(getattr(settings, "VAR_DIR", "var")) / "models" / "spoilage_base.pt"
            model = model_lib.SpoilageNet()
            if path.exists():
                model.load_state_dict(torch.load(path, weights_only=True))
            else:
                torch.set_num_threads(1)
                model, _report = model_lib.train_base_model(n=20000, seed=7, epochs=15)
                path.parent.mkdir(parents=True, exist_ok=True)
                torch.save(model.state_dict(), path)
            model.eval()
            _base_model = model
        return _base_model


def tenant_model_name() -> str:
    # Named by the tenant's immutable id (tracking.registered_model_name), so deleting the tenant deletes it.
    return registered_model_name(current_schema(), MODULE, "loss")


def current_model() -> model_lib.SpoilageNet:
    """The tenant's champion when it has fine-tuned one, else the base model."""
    name = tenant_model_name()
    try:
        version = champion_version(name)
    except (ModelRegistryError, MlflowException):  # no registry configured or no model yet: the base serves
        version = None
    if version is None:
        return base_model()
    return model_lib.load_spoilage_version(name, version)


def lot_risks(outlet_id: int, *, horizon_hours: float = 24.0, model: model_lib.SpoilageNet | None = None) -> list[LotRisk]:
    """Every lot (or untracked item) held at the outlet with its spoilage risk, riskiest first."""
    outlet = Outlet.objects.select_related("stock_location").get(pk=outlet_id)
    levels = list(StockLevel.objects.filter(location=outlet.stock_location, on_hand__gt=0).select_related("item", "lot"))
    if not levels:
        return []
    item_ids = {level.item_id for level in levels}
    profiles = {p.item_id: p for p in IngredientProfile.objects.filter(item_id__in=item_ids)}
    use = _daily_use(outlet, item_ids)
    sensor_temp = _sensor_temperature(outlet.stock_location_id)
    received = _last_receipt(outlet.stock_location_id, item_ids)
    now = timezone.now()
    features, rows = [], []
    for level in levels:
        profile = profiles.get(level.item_id) or IngredientProfile(item=level.item)
        temperature = sensor_temp if sensor_temp is not None else float(profile.storage_temp_c)
        since = level.lot.received_at if isinstance(level.lot, Lot) else received.get(level.item_id, now)
        shelf_days = level.item.shelf_life_days or 3
        features.append(
            model_lib.LotFeatures(
                storage_temp_c=temperature,
                humidity_pct=float(profile.storage_humidity_pct),
                process=profile.process,
                group=profile.group,
                hours_since_prep=max((now - since).total_seconds() / 3600, 0.0),
                shelf_life_hours=shelf_days * 24.0,
                quantity=float(level.on_hand),
                daily_use=use.get(level.item_id, 0.0),
                horizon_hours=horizon_hours,
            )
        )
        rows.append((level, temperature))
    risks = model_lib.predict(model or current_model(), features)
    result = [
        LotRisk(
            level.item_id,
            level.item.sku,
            level.item.name_zh,
            level.lot_id,
            level.on_hand,
            r.p_spoil,
            r.expected_waste,
            r.hours_left,
            t,
        )
        for (level, t), r in zip(rows, risks, strict=True)
    ]
    return sorted(result, key=lambda risk: (-risk.p_spoil, risk.hours_left))


def use_first(outlet_id: int, *, limit: int = 20) -> list[LotRisk]:
    """先用先出: what the kitchen should use before anything else today (some risk within a day)."""
    return [risk for risk in lot_risks(outlet_id) if risk.p_spoil >= 0.2 or risk.expected_waste > 0][:limit]


def waste_alerts(outlet_id: int) -> list[LotRisk]:
    return [risk for risk in lot_risks(outlet_id) if risk.p_spoil >= ALERT_PROBABILITY]


def smaller_order(outlet_id: int, item_id: int, proposed: Decimal) -> Decimal:
    """Cap a proposed order at what the outlet will use before a fresh lot is likely to spoil, less what the
    lots it holds will still supply: ordering more only feeds the bin."""
    outlet = Outlet.objects.get(pk=outlet_id)
    item = Item.objects.get(pk=item_id)
    profile = IngredientProfile.objects.filter(item=item).first() or IngredientProfile(item=item)
    daily = _daily_use(outlet, {item_id}).get(item_id, 0.0)
    if daily <= 0:
        return proposed
    temperature = _sensor_temperature(outlet.stock_location_id)
    fresh = model_lib.LotFeatures(
        storage_temp_c=temperature if temperature is not None else float(profile.storage_temp_c),
        humidity_pct=float(profile.storage_humidity_pct), process=profile.process, group=profile.group,
        hours_since_prep=0.0, shelf_life_hours=(item.shelf_life_days or 3) * 24.0, quantity=float(proposed) or 1.0,
        daily_use=daily, horizon_hours=24.0,
    )  # fmt: skip
    hours = model_lib.predict(current_model(), [fresh])[0].hours_left * 0.8  # a margin below the median
    held = sum(risk.quantity for risk in lot_risks(outlet_id) if risk.item_id == item_id)
    usable = Decimal(str(round(daily * hours / 24.0, 4)))
    return max(Decimal(0), min(proposed, usable - held + Decimal(str(round(daily, 4)))))


def tenant_training_data(days: int = 180) -> dict[str, Any]:
    """The tenant's own outcomes for fine-tuning: each spoiled/expired waste record is a lot that spoiled
    (at its recorded temperature and age); each day an ingredient was used without waste is one that did not."""
    since = timezone.now() - timedelta(days=days)
    records = WasteRecord.objects.filter(recorded_at__gte=since, reason__in=[WasteReason.SPOILED, WasteReason.EXPIRED])
    records = records.select_related("item")
    profiles = {p.item_id: p for p in IngredientProfile.objects.all()}
    lots, spoiled, waste = [], [], []
    wasted_days = set()
    for record in records:
        profile = profiles.get(record.item_id) or IngredientProfile(item=record.item)
        shelf = (record.item.shelf_life_days or 3) * 24.0
        lots.append(
            model_lib.LotFeatures(
                storage_temp_c=float(record.storage_temp_c if record.storage_temp_c is not None else profile.storage_temp_c),
                humidity_pct=float(profile.storage_humidity_pct),
                process=profile.process,
                group=profile.group,
                hours_since_prep=float(record.hours_since_prep if record.hours_since_prep is not None else shelf),
                shelf_life_hours=shelf,
                quantity=float(record.quantity),
                daily_use=0.0,
                horizon_hours=24.0,
            )
        )
        spoiled.append(1.0)
        waste.append(1.0)
        wasted_days.add((record.outlet_id, record.item_id, timezone.localdate(record.recorded_at)))
    usage = TheoreticalUsage.objects.filter(day__gte=since.date(), quantity__gt=0).select_related("item")
    for row in usage:
        if (row.outlet_id, row.item_id, row.day) in wasted_days:
            continue
        profile = profiles.get(row.item_id) or IngredientProfile(item=row.item)
        lots.append(
            model_lib.LotFeatures(
                storage_temp_c=float(profile.storage_temp_c),
                humidity_pct=float(profile.storage_humidity_pct),
                process=profile.process,
                group=profile.group,
                hours_since_prep=12.0,
                shelf_life_hours=(row.item.shelf_life_days or 3) * 24.0,
                quantity=float(row.quantity),
                daily_use=float(row.quantity),
                horizon_hours=24.0,
            )
        )
        spoiled.append(0.0)
        waste.append(0.0)
    return {"lots": lots, "spoiled": np.array(spoiled, dtype=np.float32), "waste_fraction": np.array(waste, dtype=np.float32)}


def fine_tune_on_own_waste(*, tracking_uri: str | None = None) -> dict[str, Any]:
    """Fine-tune the base model on the tenant's records, log the run to MLflow and register it under the
    tenant's `loss` model; the version becomes champion when it scores better on the records than the base."""
    from ml_models import tracking

    data = tenant_training_data()
    if len(data["lots"]) < 20 or not np.asarray(data["spoiled"]).any():  # type: ignore[arg-type]
        return {"trained": False, "rows": len(data["lots"]), "reason": "too few waste records to learn from"}  # type: ignore[arg-type]
    base = base_model()
    before = model_lib.evaluate(base, data)
    tuned, report = model_lib.fine_tune(base, data)
    after = model_lib.evaluate(tuned, data)
    name = tenant_model_name()
    metrics = {"brier": after["brier"], "waste_mae": after["waste_mae"], "base_brier": before["brier"], "rows": len(data["lots"])}  # type: ignore[arg-type]
    run_id, version = model_lib.log_spoilage_run(tuned, name, metrics, {"epochs": report.epochs}, tracking_uri=tracking_uri)
    promoted = after["brier"] < before["brier"]
    if promoted:
        client, _uri = tracking._client(tracking_uri)
        client.set_registered_model_alias(name, tracking.CHAMPION, version)
    return {"trained": True, "rows": len(data["lots"]), "version": version, "run_id": run_id, "promoted": promoted,
            "brier_before": before["brier"], "brier_after": after["brier"]}  # fmt: skip


def _daily_use(outlet: Outlet, item_ids: set[int]) -> dict[int, float]:
    since = timezone.localdate() - timedelta(days=14)
    rows = (
        TheoreticalUsage.objects.filter(outlet=outlet, item_id__in=item_ids, day__gte=since)
        .values("item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["item_id"]: float(row["total"]) / 14.0 for row in rows}


def _sensor_temperature(location_id: int) -> float | None:
    """Mean of the last 24 h of the food module's cold-chain readings at the location, when it has a sensor."""
    if not apps.is_installed("verticals.food"):
        return None
    from verticals.food.models import ColdChainReading

    since = timezone.now() - timedelta(hours=24)
    value = ColdChainReading.objects.filter(sensor__location_id=location_id, recorded_at__gte=since).aggregate(
        mean=Avg("temperature_c")
    )["mean"]
    return float(value) if value is not None else None


def _last_receipt(location_id: int, item_ids: set[int]) -> dict[int, datetime]:
    rows = (
        StockMove.objects.filter(to_location_id=location_id, item_id__in=item_ids)
        .order_by("item_id", "-posting__occurred_at")
        .values_list("item_id", "posting__occurred_at")
    )
    latest: dict[int, datetime] = {}
    for item_id, at in rows:
        latest.setdefault(item_id, at)
    return latest
