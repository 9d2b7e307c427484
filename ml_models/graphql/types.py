"""GraphQL types of the sales-history uploads and their fine-tuning progress."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from ml_models.models import SalesHistoryUpload


class UploadRowError(graphene.ObjectType):
    """One problem in an uploaded file: `row` 1 is the header, 0 the file as a whole."""

    row = graphene.Int(required=True)
    column = graphene.String(required=True)
    message = graphene.String(required=True)


class SalesHistoryUploadType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    size = graphene.Int(required=True, description="Bytes (at most ML_UPLOAD_MAX_MB).")
    row_errors = graphene.List(graphene.NonNull(UploadRowError), required=True)
    metrics = graphene.JSONString(required=True, description="before/after WAPE, the baselines' WAPE, the promotion.")
    status = graphene.String(required=True)

    class Meta:
        model = SalesHistoryUpload
        name = "SalesHistoryUpload"
        fields = (
            "id",
            "filename",
            "sha256",
            "size",
            "encoding",
            "row_count",
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
    def resolve_database_id(upload: SalesHistoryUpload, info: Any) -> int:
        return upload.pk

    @staticmethod
    def resolve_row_errors(upload: SalesHistoryUpload, info: Any) -> list[UploadRowError]:
        return [UploadRowError(row=e["row"], column=e["column"], message=e["message"]) for e in upload.errors]

    @staticmethod
    def resolve_metrics(upload: SalesHistoryUpload, info: Any) -> dict[str, Any]:
        return upload.metrics

    @staticmethod
    def resolve_status(upload: SalesHistoryUpload, info: Any) -> str:
        return str(upload.status)
