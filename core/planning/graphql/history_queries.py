"""Queries: the tenant's demand-history uploads with their fine-tuning progress, forecast runs (start date and
served model per class), promotions."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from core.planning.graphql.history_types import ForecastRunType, PromotionType, SalesHistoryUploadType
from core.planning.models import DemandHistoryUpload, ForecastRun, Promotion


def _limit(limit: int) -> int:
    return min(max(limit, 1), 100)


class DemandHistoryQueries(graphene.ObjectType):
    sales_history_uploads = graphene.List(
        graphene.NonNull(SalesHistoryUploadType), required=True, limit=graphene.Int(default_value=20)
    )
    forecast_runs = graphene.List(
        graphene.NonNull(ForecastRunType),
        required=True,
        limit=graphene.Int(default_value=20),
        description="Forecast runs, newest first: progress, start date, the model served per demand class.",
    )
    promotions = graphene.List(graphene.NonNull(PromotionType), required=True, limit=graphene.Int(default_value=100))

    @staticmethod
    def resolve_sales_history_uploads(root: Any, info: Any, limit: int) -> QuerySet[DemandHistoryUpload]:
        return DemandHistoryUpload.objects.order_by("-created_at", "-pk")[: _limit(limit)]

    @staticmethod
    def resolve_forecast_runs(root: Any, info: Any, limit: int) -> QuerySet[ForecastRun]:
        return ForecastRun.objects.order_by("-created_at", "-pk")[: _limit(limit)]

    @staticmethod
    def resolve_promotions(root: Any, info: Any, limit: int) -> QuerySet[Promotion]:
        return Promotion.objects.prefetch_related("locations").order_by("-start_date", "pk")[: _limit(limit)]
