"""Queries: the tenant's sales-history uploads with their fine-tuning progress (a page polls these)."""

from __future__ import annotations

from typing import Any

import graphene

from ml_models import selectors
from ml_models.graphql.types import SalesHistoryUploadType


class MlModelsQueries(graphene.ObjectType):
    sales_history_uploads = graphene.List(
        graphene.NonNull(SalesHistoryUploadType), required=True, limit=graphene.Int(default_value=20)
    )

    @staticmethod
    def resolve_sales_history_uploads(root: Any, info: Any, limit: int) -> Any:
        return selectors.sales_history_uploads()[: min(max(limit, 1), 100)]
