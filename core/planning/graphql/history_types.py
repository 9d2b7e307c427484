"""GraphQL types of the demand history: uploads with their fine-tuning progress, forecast runs and the model
served per demand class, promotions."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.planning.models import DemandHistoryUpload, ForecastRun, Promotion
from core.planning.served import ServedClass, served_classes


class UploadRowError(graphene.ObjectType):
    """One problem in an uploaded file: `row` 1 is the header, 0 the file as a whole."""

    row = graphene.Int(required=True)
    column = graphene.String(required=True)
    message = graphene.String(required=True)


class BacktestScoreType(graphene.ObjectType):
    model = graphene.String(required=True)
    wape = graphene.Float(required=True)

    class Meta:
        name = "BacktestScore"


class ServedModelType(graphene.ObjectType):
    """Which model serves a demand class, with ITS rolling-origin backtest WAPE (the figure the customer
    gets), the baselines' figures on the same origins and why, in the reader's language."""

    demand_class = graphene.String(required=True, description="smooth, erratic, intermittent, lumpy or short.")
    demand_class_label = graphene.String(required=True)
    model = graphene.String(required=True, description="The served candidate, e.g. network, ets, tsb.")
    model_label = graphene.String(required=True)
    wape = graphene.Float(description="The served model's backtest WAPE; null where history was too short to score.")
    coverage = graphene.Float(description="Share of actual days inside the served P10–P90 band in the backtest.")
    series = graphene.Int(required=True)
    baselines = graphene.List(graphene.NonNull(BacktestScoreType), required=True)
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        name = "ServedModel"


def _served(summary: dict[str, Any]) -> list[ServedModelType]:
    return [_served_type(entry) for entry in served_classes(summary)]


def _served_type(entry: ServedClass) -> ServedModelType:
    return ServedModelType(
        demand_class=entry.demand_class,
        demand_class_label=entry.demand_class_label,
        model=entry.model,
        model_label=entry.model_label,
        wape=entry.wape,
        coverage=entry.coverage,
        series=entry.series,
        baselines=[BacktestScoreType(model=name, wape=score) for name, score in entry.baselines],
        reasons=entry.reasons,
    )


class SalesHistoryUploadType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    size = graphene.Int(required=True, description="Bytes (at most ML_UPLOAD_MAX_MB).")
    row_errors = graphene.List(graphene.NonNull(UploadRowError), required=True)
    metrics = graphene.JSONString(required=True, description="The fine-tune's outcome: served model per class, start.")
    served_models = graphene.List(graphene.NonNull(ServedModelType), required=True)
    status = graphene.String(required=True)

    class Meta:
        model = DemandHistoryUpload
        name = "SalesHistoryUpload"
        fields = (
            "id",
            "filename",
            "sha256",
            "size",
            "encoding",
            "row_count",
            "plan_row_count",
            "replaced_row_count",
            "module",
            "progress_percent",
            "stage",
            "model_name",
            "model_version",
            "promoted",
            "created_by",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_database_id(upload: DemandHistoryUpload, info: Any) -> int:
        return upload.pk

    @staticmethod
    def resolve_row_errors(upload: DemandHistoryUpload, info: Any) -> list[UploadRowError]:
        return [UploadRowError(row=e["row"], column=e["column"], message=e["message"]) for e in upload.errors]

    @staticmethod
    def resolve_metrics(upload: DemandHistoryUpload, info: Any) -> dict[str, Any]:
        return upload.metrics

    @staticmethod
    def resolve_served_models(upload: DemandHistoryUpload, info: Any) -> list[ServedModelType]:
        return _served(upload.metrics)

    @staticmethod
    def resolve_status(upload: DemandHistoryUpload, info: Any) -> str:
        return str(upload.status)


class ForecastRunType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    status = graphene.String(required=True)
    start_date = graphene.Date(description="The first forecast day: the day after the history's last actual figure.")
    served_models = graphene.List(graphene.NonNull(ServedModelType), required=True)

    class Meta:
        model = ForecastRun
        name = "ForecastRun"
        fields = (
            "id",
            "trigger",
            "progress_percent",
            "stage",
            "horizon_days",
            "rows_written",
            "model_name",
            "model_version",
            "created_by",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_database_id(run: ForecastRun, info: Any) -> int:
        return run.pk

    @staticmethod
    def resolve_status(run: ForecastRun, info: Any) -> str:
        return str(run.status)

    @staticmethod
    def resolve_start_date(run: ForecastRun, info: Any) -> Any:
        return run.start_date

    @staticmethod
    def resolve_served_models(run: ForecastRun, info: Any) -> list[ServedModelType]:
        return _served(run.served)


class PromotionType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    # A plain string, not a generated enum: the enum would carry the labels in the reader's language.
    kind = graphene.String(required=True, description="discount, bundle, display or other.")
    location_ids = graphene.List(graphene.NonNull(graphene.Int), required=True, description="Empty: every location.")

    class Meta:
        model = Promotion
        name = "Promotion"
        fields = ("id", "name", "kind", "item", "category", "start_date", "end_date", "discount", "created_at")

    @staticmethod
    def resolve_database_id(promotion: Promotion, info: Any) -> int:
        return promotion.pk

    @staticmethod
    def resolve_kind(promotion: Promotion, info: Any) -> str:
        return str(promotion.kind)

    @staticmethod
    def resolve_location_ids(promotion: Promotion, info: Any) -> list[int]:
        return sorted(location.pk for location in promotion.locations.all())
