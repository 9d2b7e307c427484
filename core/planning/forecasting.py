"""Forecasting for the tenant: fine-tune on the whole demand history, choose the served model per demand
class, and write forecasts after a fine-tune, on demand and nightly (the nightly run chains replenishment).

All tenant-table work for forecasting lives here; the ml_models library only gets panels in and gives results
out, through the one adapter in core/planning/champion.py.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from core.access import Actor, actor_label
from core.modules import registry
from core.planning import champion
from core.planning.exceptions import FineTuneNotAllowed, NoDemandHistory
from core.planning.known_future import PanelKeys, build_demand_panel, planning_settings
from core.planning.models import (
    DemandForecast,
    DemandHistoryUpload,
    ForecastExplanation,
    ForecastRun,
    ForecastRunStatus,
    UploadStatus,
)
from tenants.schemas import current_schema

if TYPE_CHECKING:
    from ml_models.features import DemandPanel

logger = logging.getLogger(__name__)

BACKTEST_ORIGINS = 3
FINE_TUNABLE = (UploadStatus.VALIDATED, UploadStatus.DONE, UploadStatus.FAILED)


# --- which base model a tenant starts from --------------------------------------------------------------------


def demand_module() -> str:
    """The module whose demand base model the current tenant is fine-tuned from and served by: the first
    enabled vertical that declares an MLSpec of kind "demand" (through the registry), else "core"."""
    from django_tenants.utils import get_tenant_model

    from billing.entitlements import enabled_modules

    tenant = get_tenant_model().objects.filter(schema_name=current_schema()).first()
    enabled = set(enabled_modules(tenant)) if tenant is not None else set()
    for module in registry.all():
        if module.always_on or module.code not in enabled:
            continue
        if any(spec.kind == "demand" for spec in module.ml_specs):
            return module.code
    return "core"


def _warm_start(tracking_uri: str) -> tuple[dict[str, Any] | None, str]:
    """The network the fine-tune starts from, and where it came from: the tenant's previous champion network.

    The module base models are the library's window networks, which the tenant network cannot start from; with
    no previous choice the tenant network learns from the tenant's own history (the library notes it)."""
    previous = _latest_choice_run()
    if previous is None:
        return None, ""
    saved = champion.load_saved(previous.model_name, previous.model_version, tracking_uri)
    state = champion.network_state(saved)
    return state, (f"{previous.model_name}/{previous.model_version}" if state is not None else "")


def _latest_choice_run() -> ForecastRun | None:
    """The last fine-tune that registered a champion choice (what nightly serving re-serves)."""
    return (
        ForecastRun.objects.filter(trigger="fine_tune", status=ForecastRunStatus.DONE)
        .exclude(model_version="")
        .order_by("-created_at", "-pk")
        .first()
    )


# --- fine-tuning ------------------------------------------------------------------------------------------------


def _report_upload(upload_id: int, percent: int, stage: str, **fields: Any) -> None:
    # A plain UPDATE outside any transaction commits at once, so a page polling the upload sees it.
    DemandHistoryUpload.objects.filter(pk=upload_id).update(
        progress_percent=max(0, min(100, percent)), stage=stage[:200], updated_at=timezone.now(), **fields
    )


def _report_run(run_id: int, percent: int, stage: str, **fields: Any) -> None:
    ForecastRun.objects.filter(pk=run_id).update(
        progress_percent=max(0, min(100, percent)), stage=stage[:200], updated_at=timezone.now(), **fields
    )


@transaction.atomic
def start_fine_tune(upload_id: int) -> DemandHistoryUpload:
    """Check the upload can start a fine-tune, mark it queued and send the task once this transaction commits.
    The fine-tune reads the whole demand history; the upload only carries its progress."""
    from core.planning.tasks import fine_tune_demand_model
    from core.tasks import enqueue_on_commit

    upload = DemandHistoryUpload.objects.select_for_update().get(pk=upload_id)
    if upload.status not in FINE_TUNABLE:
        raise FineTuneNotAllowed(upload.status)
    upload.status, upload.progress_percent, upload.stage = UploadStatus.TRAINING, 0, "queued"
    upload.module = demand_module()
    upload.save(update_fields=["status", "progress_percent", "stage", "module", "updated_at"])
    enqueue_on_commit(fine_tune_demand_model, upload.pk)
    return upload


def fine_tune_upload(upload_id: int) -> DemandHistoryUpload:
    """Fine-tune the module's base model on the history, choose the served model per class, register the
    network, and write forecasts at once; progress goes to the upload.

    The upload's `updated_at` beats while it runs (core/jobs.py); if the worker dies the reaper fails it and
    `start_fine_tune` accepts the retry. A redelivered task for an upload no longer training is skipped.
    """
    from core.jobs import heartbeat

    upload = DemandHistoryUpload.objects.get(pk=upload_id)
    if upload.status != UploadStatus.TRAINING:
        logger.warning("upload %s is %s, not training: stale delivery skipped", upload_id, upload.status)
        return upload
    try:
        with heartbeat(DemandHistoryUpload, upload_id):
            return _fine_tune(upload_id)
    except Exception as error:
        logger.exception("fine-tuning from upload %s failed", upload_id)
        _report_upload(upload_id, 100, f"failed: {error}", status=UploadStatus.FAILED)
        raise


def _fine_tune(upload_id: int) -> DemandHistoryUpload:
    from ml_models.tracking import registered_model_name

    upload = DemandHistoryUpload.objects.get(pk=upload_id)
    tracking_uri = str(settings.MLFLOW_TRACKING_URI)
    horizon = planning_settings().forecast_horizon_days
    _report_upload(upload_id, 2, "loading the previous model", status=UploadStatus.TRAINING)
    base, base_name = _warm_start(tracking_uri)
    _report_upload(upload_id, 8, "reading the demand history")
    built = build_demand_panel(horizon=horizon)
    if built is None:
        raise NoDemandHistory()
    panel, keys = built

    def progress(percent: int, stage: str) -> None:
        _report_upload(upload_id, 10 + int(percent * 0.8), stage)

    result = champion.fit_and_forecast(panel, horizon=horizon, origins=BACKTEST_ORIGINS, base=base, progress=progress)
    _report_upload(upload_id, 92, "registering")
    schema = current_schema()
    name = registered_model_name(schema, upload.module)
    version = champion.log_champion(
        result,
        name,
        params={"upload_id": upload_id, "warm_start": base_name or "none", "n_series": len(panel.keys)},
        tags={"kind": "fine_tune", "module": upload.module, "schema": schema},
        tracking_uri=tracking_uri,
    )
    run = ForecastRun.objects.create(
        trigger="fine_tune",
        status=ForecastRunStatus.RUNNING,
        created_by=upload.created_by,
        model_name=name,
        model_version=version,
        horizon_days=horizon,
    )
    _report_upload(upload_id, 95, "writing forecasts")
    _finish_run(run, result, keys, panel)
    summary = served_summary(result, base_model=base_name)
    _report_upload(
        upload_id,
        100,
        "done",
        status=UploadStatus.DONE,
        metrics=summary,
        model_name=name,
        model_version=version,
        promoted="network" in result.served.values(),
    )
    return DemandHistoryUpload.objects.get(pk=upload_id)


def served_summary(result: champion.ChampionResult, base_model: str = "") -> dict[str, Any]:
    """Per demand class: the served candidate, ITS backtest WAPE (the figure the customer gets), the
    baselines' figures on the same origins, the P10–P90 coverage, the series count and the reason codes."""
    counts: dict[str, int] = {}
    for demand_class in result.demand_class:
        counts[demand_class] = counts.get(demand_class, 0) + 1
    classes: dict[str, Any] = {}
    for demand_class, model in sorted(result.served.items()):
        scores = result.backtest.get(demand_class, {})
        coverage = result.coverage.get(demand_class)
        classes[demand_class] = {
            "model": model,
            "wape": scores.get(model),
            "baselines": {name: score for name, score in scores.items() if name != "network"},
            "coverage": coverage if coverage is not None and np.isfinite(coverage) else None,
            "series": counts.get(demand_class, 0),
            "notes": [[code, params] for code, params in result.notes if params.get("class") == demand_class],
        }
    return {"start": result.start.isoformat(), "horizon": result.horizon, "classes": classes, "base_model": base_model}


def reap_stuck_forecasting(stale_after: timedelta) -> int:
    """Fine-tunes and forecast runs whose heartbeat stopped (a killed worker) become failed, so the user can
    start them again. A queued one has no heartbeat yet: it gets the broker's whole redelivery window."""
    from core.jobs import reap

    queued_window = max(stale_after, timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120))
    training = DemandHistoryUpload.objects.filter(status=UploadStatus.TRAINING)
    upload_failed = {"status": UploadStatus.FAILED, "stage": "failed: the worker stopped; start the fine-tune again"}
    running = ForecastRun.objects.filter(status__in=(ForecastRunStatus.QUEUED, ForecastRunStatus.RUNNING))
    run_failed = {"status": ForecastRunStatus.FAILED, "stage": "failed: the worker stopped; refresh again"}
    return (
        reap(training.exclude(stage="queued"), older_than=stale_after, **upload_failed)
        + reap(training.filter(stage="queued"), older_than=queued_window, **upload_failed)
        + reap(running.exclude(stage="queued"), older_than=stale_after, **run_failed)
        + reap(running.filter(stage="queued"), older_than=queued_window, **run_failed)
    )


# --- writing forecasts -------------------------------------------------------------------------------------------


def start_forecast_refresh(actor: Actor | str, trigger: str = "on_demand") -> ForecastRun:
    """Queue a forecast refresh from the current champion choice; poll the returned run for progress."""
    from core.planning.tasks import refresh_forecasts_task
    from core.tasks import enqueue_on_commit

    with transaction.atomic():
        run = ForecastRun.objects.create(trigger=trigger, created_by=actor_label(actor), stage="queued")
        enqueue_on_commit(refresh_forecasts_task, run.pk)
    return run


def refresh_forecasts(run_id: int | None = None, trigger: str = "nightly") -> ForecastRun:
    """Forecast every item × location with history from the last fine-tune's per-class choice (no fine-tune
    yet: the best baseline per class on a fresh backtest); writes DemandForecast rows made today."""
    from core.jobs import heartbeat

    run = ForecastRun.objects.get(pk=run_id) if run_id else ForecastRun.objects.create(trigger=trigger)
    if run.status in (ForecastRunStatus.DONE, ForecastRunStatus.FAILED):
        logger.warning("forecast run %s is %s: stale delivery skipped", run.pk, run.status)
        return run
    try:
        with heartbeat(ForecastRun, run.pk):
            return _refresh(run)
    except Exception as error:
        logger.exception("forecast run %s failed", run.pk)
        _report_run(run.pk, 100, f"failed: {error}", status=ForecastRunStatus.FAILED)
        raise


def _refresh(run: ForecastRun) -> ForecastRun:
    horizon = planning_settings().forecast_horizon_days
    _report_run(run.pk, 5, "reading the demand history", status=ForecastRunStatus.RUNNING, horizon_days=horizon)
    built = build_demand_panel(horizon=horizon)
    if built is None:
        _report_run(run.pk, 100, "no demand history", status=ForecastRunStatus.DONE)
        run.refresh_from_db()
        return run
    panel, keys = built
    chosen = _latest_choice_run()
    _report_run(run.pk, 20, "forecasting")
    if chosen is not None:
        saved = champion.load_saved(chosen.model_name, chosen.model_version, str(settings.MLFLOW_TRACKING_URI))
        result = champion.forecast_with(saved, panel, horizon=horizon)
        run.model_name, run.model_version = chosen.model_name, chosen.model_version
    else:
        result = champion.fit_and_forecast(panel, horizon=horizon, origins=BACKTEST_ORIGINS, base=None)
    _report_run(run.pk, 80, "writing forecasts")
    _finish_run(run, result, keys, panel)
    run.refresh_from_db()
    return run


def _finish_run(run: ForecastRun, result: champion.ChampionResult, keys: PanelKeys, panel: DemandPanel) -> None:
    summary = served_summary(result)
    network = champion.served_network(result)
    explanations: list[ForecastExplanation] = []
    if network is not None:
        rows = [i for i, c in enumerate(result.demand_class) if result.served.get(c) == "network"]
        explanations = explain_forecasts(network, panel, keys, rows, run.model_name, run.model_version, result.horizon)
    with transaction.atomic():
        written = write_forecasts(result, keys, run.model_name or "champion", run.model_version)
        # Replaced like the forecasts; only series the network serves are explained (a baseline has no
        # feature families to attribute to, and an explanation of a model not served would mislead).
        ForecastExplanation.objects.filter(made_on=timezone.localdate()).delete()
        ForecastExplanation.objects.bulk_create(explanations, batch_size=2000)
        ForecastRun.objects.filter(pk=run.pk).update(
            status=ForecastRunStatus.DONE,
            progress_percent=100,
            stage="done",
            start_date=result.start,
            horizon_days=result.horizon,
            rows_written=written,
            served=summary,
            notes=[[code, params] for code, params in result.notes],
            model_name=run.model_name,
            model_version=run.model_version,
            updated_at=timezone.now(),
        )


# Integrated-gradient steps per explanation (explain()'s default). Measured (2 vCPU shared, 1 torch thread):
# 0.2–0.3 s for 300 series and ~3 s for 3,000 at 32 steps, completeness error ≤ 0.05%
# (tests/bench/bench_forecast_explanations.py).
EXPLAIN_STEPS = 32


def explain_forecasts(
    network: Any, panel: DemandPanel, keys: PanelKeys, rows: list[int], model_name: str, model_version: str, horizon: int
) -> list[ForecastExplanation]:
    """One ForecastExplanation per row of `panel` in `rows` (reference level + one contribution per feature
    family, in demand units). An explanation that cannot be computed must not cost the tenant its forecasts
    (replenishment runs on those): the error is logged and the run stores forecasts only."""
    from ml_models.explain import explain

    if not rows:
        return []
    try:
        explained = explain(network, panel.subset(rows), steps=EXPLAIN_STEPS)
    except Exception:
        logger.exception("explaining forecasts of %s/%s failed; storing forecasts only", model_name, model_version)
        return []
    made_on = timezone.localdate()
    records = []
    for row, entry in zip(rows, explained, strict=True):
        attributed: dict[str, float] = entry["contributions"]  # type: ignore[assignment]
        records.append(
            ForecastExplanation(
                item_id=int(keys.item_ids[row]),
                location_id=int(keys.location_ids[row]),
                made_on=made_on,
                model_name=model_name,
                model_version=model_version,
                horizon_days=horizon,
                reference=_quantity(entry["reference_total"]),
                p50_total=_quantity(entry["p50_total"]),
                contributions={str(family): round(float(value), 4) for family, value in attributed.items()},
            )
        )
    return records


def _quantity(value: Any) -> Decimal:
    return Decimal(str(round(float(value), 4)))


_COPY_FORECASTS = (
    "COPY planning_demandforecast (item_id, location_id, made_on, forecast_date, horizon_days, p10, p50, p90, "
    "model_name, model_version, created_at) FROM STDIN"
)


def write_forecasts(result: champion.ChampionResult, keys: PanelKeys, model_name: str, model_version: str) -> int:
    """Replace today's DemandForecast rows with `result` (P10 ≤ P50 ≤ P90, ≥ 0) in one COPY; returns the rows.

    Runs inside the caller's transaction, so a reader never sees half a run. A pair that lost its history
    keeps no forecast of today's run.
    """
    made_on = timezone.localdate()
    q = [result.quantiles.index(x) for x in (0.1, 0.5, 0.9)]
    bands = np.sort(np.maximum(np.nan_to_num(result.values[:, :, q]), 0.0), axis=2).round(4)
    days = [result.start + timedelta(days=h) for h in range(result.horizon)]
    now = timezone.now()
    previous = _previous_totals(made_on, days)
    DemandForecast.objects.filter(made_on=made_on).delete()
    with connection.cursor() as cursor, cursor.cursor.copy(_COPY_FORECASTS) as copy:
        for i in range(len(keys.item_ids)):
            item_id, location_id = int(keys.item_ids[i]), int(keys.location_ids[i])
            for h, day in enumerate(days):
                p10, p50, p90 = (Decimal(str(float(x))) for x in bands[i, h])
                copy.write_row((item_id, location_id, made_on, day, h + 1, p10, p50, p90, model_name, model_version, now))
    totals = {
        (int(keys.item_ids[i]), int(keys.location_ids[i])): (float(bands[i, :, 1].sum()), float(bands[i, :, 2].sum()))
        for i in range(len(keys.item_ids))
    }
    _record_forecast_updates(totals, previous, made_on, model_name)
    return len(keys.item_ids) * len(days)


def _previous_totals(made_on: date, days: list[date]) -> tuple[date | None, dict[tuple[int, int], Decimal]]:
    previous_run = DemandForecast.objects.filter(made_on__lt=made_on).aggregate(latest=Max("made_on"))["latest"]
    if previous_run is None:
        return None, {}
    totals = {
        (item_id, location_id): total
        for item_id, location_id, total in DemandForecast.objects.filter(made_on=previous_run, forecast_date__in=days)
        .values("item_id", "location_id")
        .annotate(total=Sum("p50"))
        .values_list("item_id", "location_id", "total")
    }
    return previous_run, totals


def _record_forecast_updates(
    totals: dict[tuple[int, int], tuple[float, float]],
    previous: tuple[date | None, dict[tuple[int, int], Decimal]],
    made_on: date,
    model_name: str,
) -> None:
    """One `forecast.updated` event per item × location that had an earlier forecast for the same days.

    `change_pct` compares the new P50 total over the horizon with what the previous run said for those days,
    so a rule like "when the forecast rose more than 30%, notify the buyer" reads one number. A same-day
    rerun does not announce again (the first run of the day did).
    """
    from core.events.models import DomainEvent
    from core.events.services import record_events

    previous_run, before_totals = previous
    if previous_run is None or not totals:
        return
    if DomainEvent.objects.filter(event_type="forecast.updated", payload__made_on=made_on.isoformat()).exists():
        return
    subjects = []
    for (item_id, location_id), (p50, p90) in sorted(totals.items()):
        before = before_totals.get((item_id, location_id))
        if not before:  # no earlier forecast (or zero): nothing to compare against
            continue
        p50_total, p90_total = Decimal(str(round(p50, 4))), Decimal(str(round(p90, 4)))
        change = ((p50_total - before) / before * 100).quantize(Decimal("0.01"))
        payload = {
            "item_id": item_id,
            "location_id": location_id,
            "made_on": made_on.isoformat(),
            "previous_made_on": previous_run.isoformat(),
            "p50_total": str(p50_total),
            "p90_total": str(p90_total),
            "previous_p50_total": str(before),
            "change_pct": str(change),
            "model": model_name,
        }
        subjects.append((item_id, payload))
    record_events("forecast.updated", "item", subjects)
