"""Fine-tuning a tenant's demand model on an uploaded sales history, with progress the page can poll."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from ml_models.models import SalesHistoryRow, SalesHistoryUpload, UploadStatus
from tenants.schemas import current_schema

if TYPE_CHECKING:  # torch-side and planning imports stay lazy at run time
    from core.planning.models import ForecastExplanation
    from ml_models.features import DemandPanel
    from ml_models.tracking import LoadedModel

logger = logging.getLogger(__name__)

# A missing base model is trained on the spot, kept small so the first upload does not wait for hours;
# `manage.py train_base_models` trains the full-size ones.
FALLBACK_BASE_OPTIONS: dict[str, Any] = {"n_series": 20, "days": 200}
FINE_TUNE_EPOCHS = 3
FINE_TUNE_SAMPLES = 2_000


class FineTuneNotAllowed(Exception):
    """The upload is not in a state that can be fine-tuned (rejected, or already training)."""


def _report(upload_id: int, percent: int, stage: str, **fields: Any) -> None:
    # A plain UPDATE outside any transaction commits at once, so a page polling the upload sees it.
    SalesHistoryUpload.objects.filter(pk=upload_id).update(
        progress_percent=max(0, min(100, percent)), stage=stage, updated_at=timezone.now(), **fields
    )


@transaction.atomic
def start_fine_tune(upload_id: int) -> SalesHistoryUpload:
    """Check the upload can be fine-tuned, mark it queued and send the task once this transaction commits."""
    from core.tasks import enqueue_on_commit
    from ml_models.tasks import fine_tune_on_upload

    upload = SalesHistoryUpload.objects.select_for_update().get(pk=upload_id)
    if upload.status not in (UploadStatus.VALIDATED, UploadStatus.DONE, UploadStatus.FAILED):
        raise FineTuneNotAllowed(f"upload {upload_id} is {upload.status}")
    upload.status, upload.progress_percent, upload.stage = UploadStatus.TRAINING, 0, "queued"
    upload.save(update_fields=["status", "progress_percent", "stage", "updated_at"])
    enqueue_on_commit(fine_tune_on_upload, upload.pk)
    return upload


def reap_stuck_fine_tunes(stale_after: timedelta) -> int:
    """Fine-tunes whose heartbeat stopped (a killed worker) become failed, so the user can start them again.

    A queued one has no heartbeat yet: it is given the broker's whole redelivery window before it is reaped.
    """
    from core.jobs import reap

    training = SalesHistoryUpload.objects.filter(status=UploadStatus.TRAINING)
    failed = {"status": UploadStatus.FAILED, "stage": "failed: the worker stopped; start the fine-tune again"}
    queued_window = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    return reap(training.exclude(stage="queued"), older_than=stale_after, **failed) + reap(
        training.filter(stage="queued"), older_than=max(stale_after, queued_window), **failed
    )


def sales_panel(upload_id: int):  # -> DemandPanel (torch-side import kept lazy)
    """The upload's rows as a daily panel, one series per item × location (`sku@location`)."""
    import pandas as pd

    from ml_models.features import DemandPanel

    rows = SalesHistoryRow.objects.filter(upload_id=upload_id).values_list(
        "item__sku", "location__code", "date", "quantity", "price", "promo"
    )
    frame = pd.DataFrame(list(rows), columns=["sku", "location", "date", "quantity", "price", "promo"])
    frame["key"] = frame["sku"] + "@" + frame["location"]
    frame["quantity"] = frame["quantity"].astype(float)
    frame["promo"] = frame["promo"].astype(float)
    exog: tuple[str, ...] = ("promo",)
    if frame["price"].notna().all():
        frame["price"] = frame["price"].astype(float)
        exog = ("price", "promo")
    return DemandPanel.from_long(frame, key="key", date="date", value="quantity", freq="D", exog=exog)


def _base_model(module: str, tracking_uri: str):
    from ml_models.base_models import BASE_SCHEMA, train_base_model
    from ml_models.exceptions import NoChampion
    from ml_models.tracking import load_champion, load_version, registered_model_name
    from ml_models.training import TrainConfig

    name = registered_model_name(BASE_SCHEMA, module)
    try:
        return load_champion(name, tracking_uri)
    except NoChampion:
        logger.info("no base model %s yet; training a small one", name)
    trained = train_base_model(
        module, tracking_uri, train_config=TrainConfig(max_epochs=2, samples_per_epoch=2_000), **FALLBACK_BASE_OPTIONS
    )
    # The small model may not beat the baselines and so not be champion: start from the version just made.
    return load_version(name, trained.logged.version, tracking_uri)


def fine_tune_upload(upload_id: int) -> SalesHistoryUpload:
    """Fine-tune the module's base model on the upload, score before/after on a holdout, register, maybe promote.

    The upload's `updated_at` beats while it runs (core/jobs.py); if the worker dies the reaper fails it
    and `start_fine_tune` accepts the retry. A redelivered task for an upload no longer training is skipped.
    """
    from core.jobs import heartbeat

    upload = SalesHistoryUpload.objects.get(pk=upload_id)
    if upload.status != UploadStatus.TRAINING:
        logger.warning("upload %s is %s, not training: stale delivery skipped", upload_id, upload.status)
        return upload
    try:
        with heartbeat(SalesHistoryUpload, upload_id):
            return _fine_tune(upload_id)
    except Exception as error:
        logger.exception("fine-tuning upload %s failed", upload_id)
        _report(upload_id, 100, f"failed: {error}"[:200], status=UploadStatus.FAILED)
        raise


def _fine_tune(upload_id: int) -> SalesHistoryUpload:
    from ml_models.evaluation import holdout_forecasts
    from ml_models.exceptions import NoChampion
    from ml_models.tracking import load_champion, log_training_run, promote_if_better, registered_model_name
    from ml_models.training import fine_tune

    upload = SalesHistoryUpload.objects.get(pk=upload_id)
    tracking_uri = str(settings.MLFLOW_TRACKING_URI)
    _report(upload_id, 2, "loading base model", status=UploadStatus.TRAINING)
    base = _base_model(upload.module, tracking_uri)
    _report(upload_id, 10, "building panel")
    panel = sales_panel(upload_id)
    horizon = base.model.config.horizon
    models = {"model": base.model}
    name = registered_model_name(current_schema(), upload.module)
    with contextlib.suppress(NoChampion):
        models["champion"] = load_champion(name, tracking_uri).model
    base_forecasts = holdout_forecasts(panel, {"model": base.model}, horizon)
    before = base_forecasts.report()
    _report(upload_id, 15, "fine-tuning")

    def progress(percent: int, stage: str) -> None:
        _report(upload_id, 15 + int(percent * 0.7), stage)

    history = panel.head(len(panel.dates) - horizon)
    tuned = fine_tune(base.model, history, epochs=FINE_TUNE_EPOCHS, samples_per_epoch=FINE_TUNE_SAMPLES, progress=progress)
    _report(upload_id, 88, "evaluating")
    models["model"] = tuned.model
    after = holdout_forecasts(panel, models, horizon, baselines=base_forecasts.baselines).report()
    metrics = after.flat()
    if "champion" in after.methods:
        metrics["champion_wape"] = after.methods["champion"]["wape"]
    _report(upload_id, 92, "registering")
    logged = log_training_run(
        tuned.model,
        name,
        metrics,
        params={"upload_id": upload_id, "base_model": f"{base.name}/{base.version}", "n_series": len(panel.keys)},
        tags={"kind": "fine_tune", "module": upload.module, "schema": current_schema()},
        report={"before": before.methods, "after": after.methods, "best_baseline": after.best_baseline},
        tracking_uri=tracking_uri,
    )
    decision = promote_if_better(name, logged.version, metrics, tracking_uri)
    summary = {
        "before": {"wape": before.methods["model"]["wape"]},
        "after": {"wape": after.methods["model"]["wape"]},
        "baselines": {b: after.methods[b]["wape"] for b in after.baseline_names},
        "best_baseline": after.best_baseline,
        "base_model": f"{base.name}/{base.version}",
        "promotion": decision.reason,
    }
    _report(
        upload_id,
        100,
        "done",
        status=UploadStatus.DONE,
        metrics=summary,
        model_name=name,
        model_version=logged.version,
        promoted=decision.promoted,
    )
    return SalesHistoryUpload.objects.get(pk=upload_id)


def _forecast_model(module: str, tracking_uri: str):
    """The tenant's champion, else the vertical's base champion, else None (nothing to serve yet)."""
    from ml_models.base_models import BASE_SCHEMA
    from ml_models.exceptions import NoChampion
    from ml_models.tracking import load_champion, registered_model_name

    for schema in (current_schema(), BASE_SCHEMA):
        with contextlib.suppress(NoChampion):
            return load_champion(registered_model_name(schema, module), tracking_uri)
    return None


def history_panel():  # -> DemandPanel | None
    """Every item × location with uploaded history, one series `<item_id>:<location_id>`; the newest upload
    wins where uploads overlap."""
    import pandas as pd

    from ml_models.features import DemandPanel

    rows = (
        SalesHistoryRow.objects.filter(upload__status__in=(UploadStatus.VALIDATED, UploadStatus.TRAINING, UploadStatus.DONE))
        .order_by("upload_id")
        .values_list("item_id", "location_id", "date", "quantity")
    )
    frame = pd.DataFrame(list(rows), columns=["item", "location", "date", "quantity"])
    if frame.empty:
        return None
    frame = frame.drop_duplicates(["item", "location", "date"], keep="last")
    frame["key"] = frame["item"].astype(str) + ":" + frame["location"].astype(str)
    frame["quantity"] = frame["quantity"].astype(float)
    return DemandPanel.from_long(frame, key="key", date="date", value="quantity", freq="D")


# Integrated-gradient steps per explanation (explain()'s default). Measured (2 vCPU shared, 1 torch thread):
# 0.2–0.3 s for 300 series and ~3 s for 3,000 at 32 steps, completeness error (reference + Σ contributions vs
# the P50 total) ≤ 0.05%; 16 steps cost about half at ≤ 0.15% (tests/bench/bench_forecast_explanations.py).
EXPLAIN_STEPS = 32


def _explanations(loaded: LoadedModel, panel: DemandPanel, made_on: date, horizon_days: int) -> list[ForecastExplanation]:
    """One ForecastExplanation per series of `panel` (`<item_id>:<location_id>`), in demand units.

    An explanation that cannot be computed must not cost the tenant its forecasts (replenishment runs on
    those): the error is logged and the run stores forecasts only."""
    from core.planning.models import ForecastExplanation
    from ml_models.explain import explain

    try:
        explained = explain(loaded.model, panel, steps=EXPLAIN_STEPS)
    except Exception:
        logger.exception("explaining forecasts of %s/%s failed; storing forecasts only", loaded.name, loaded.version)
        return []
    records = []
    for row in explained:
        item_id, location_id = (int(part) for part in str(row["key"]).split(":"))
        # explain() types its rows loosely (dict[str, object]); "contributions" is {family: demand units}.
        attributed = cast("dict[str, float]", row["contributions"])
        contributions = {str(family): round(float(value), 4) for family, value in attributed.items()}
        records.append(
            ForecastExplanation(
                item_id=item_id,
                location_id=location_id,
                made_on=made_on,
                model_name=loaded.name,
                model_version=loaded.version,
                horizon_days=horizon_days,
                reference=_quantity(row["reference_total"]),
                p50_total=_quantity(row["p50_total"]),
                contributions=contributions,
            )
        )
    return records


def _quantity(value: Any) -> Decimal:
    return Decimal(str(round(float(value), 4)))


def refresh_forecasts(module: str = "core") -> int:
    """Write today's P10/P50/P90 DemandForecast rows for every item × location with history, and one
    ForecastExplanation per item × location (why its P50 is what it is); returns the forecast row count.

    A rerun on the same day replaces that day's rows of both (their unique keys include `made_on`), in one
    transaction so a reader never sees forecasts of one run with explanations of another.
    """
    from core.planning.models import DemandForecast, ForecastExplanation
    from ml_models.serving import forecast

    loaded = _forecast_model(module, str(settings.MLFLOW_TRACKING_URI))
    panel = history_panel()
    if loaded is None or panel is None:
        return 0
    result = forecast(loaded.model, panel)
    made_on = timezone.localdate()
    q = [result.quantiles.index(x) for x in (0.1, 0.5, 0.9)]
    records = []
    for i, key in enumerate(result.keys):
        item_id, location_id = (int(part) for part in key.split(":"))
        for h, day in enumerate(result.dates):
            # Quantile heads are trained jointly but not forced monotone: sort so p10 ≤ p50 ≤ p90 always holds.
            p10, p50, p90 = sorted(_quantity(result.values[i, h, j]) for j in q)
            records.append(
                DemandForecast(
                    item_id=item_id,
                    location_id=location_id,
                    made_on=made_on,
                    forecast_date=day.date(),
                    horizon_days=h + 1,
                    p10=p10,
                    p50=p50,
                    p90=p90,
                    model_name=loaded.name,
                    model_version=loaded.version,
                )
            )
    explanations = _explanations(loaded, panel, made_on, len(result.dates))
    with transaction.atomic():
        DemandForecast.objects.filter(made_on=made_on).delete()
        DemandForecast.objects.bulk_create(records, batch_size=2000)
        # Replaced like the forecasts: a pair that lost its history today keeps no explanation of today's run.
        ForecastExplanation.objects.filter(made_on=made_on).delete()
        ForecastExplanation.objects.bulk_create(explanations, batch_size=2000)
        _record_forecast_updates(records, made_on, loaded.name)
    return len(records)


def _record_forecast_updates(records: list[Any], made_on: date, model_name: str) -> None:
    """One `forecast.updated` event per item × location that had an earlier forecast for the same days.

    `change_pct` compares the new P50 total over the horizon with what the previous run said for those days,
    so a rule like "when the forecast rose more than 30%, notify the buyer" reads one number. A same-day
    rerun does not announce again (the first run of the day did).
    """
    from core.events.models import DomainEvent
    from core.events.services import record_events
    from core.planning.models import DemandForecast

    if DomainEvent.objects.filter(event_type="forecast.updated", payload__made_on=made_on.isoformat()).exists():
        return
    new: dict[tuple[int, int], list[Decimal]] = {}
    for row in records:
        totals = new.setdefault((row.item_id, row.location_id), [Decimal(0), Decimal(0)])
        totals[0] += row.p50
        totals[1] += row.p90
    previous_run = DemandForecast.objects.filter(made_on__lt=made_on).aggregate(latest=Max("made_on"))["latest"]
    if previous_run is None or not records:
        return
    days = {row.forecast_date for row in records}
    previous = {
        (item_id, location_id): total
        for item_id, location_id, total in DemandForecast.objects.filter(made_on=previous_run, forecast_date__in=days)
        .values("item_id", "location_id")
        .annotate(total=Sum("p50"))
        .values_list("item_id", "location_id", "total")
    }
    subjects = []
    for (item_id, location_id), (p50_total, p90_total) in sorted(new.items()):
        before = previous.get((item_id, location_id))
        if not before:  # no earlier forecast (or zero): nothing to compare against
            continue
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
